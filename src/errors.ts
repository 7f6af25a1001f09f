// Errors by who must act: the user (their input or flags), something outside
// (Terraform, Okta, the Cerby API), or us (a bug). The CLI maps each to an exit
// code and prints only the message, never a stack, except for internal errors.

/** A place in an input file: 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in the input, located as `file:line:col path: message`. */
export interface InputIssue extends SourceLocation {
  /** Field path inside the file, e.g. `accounts[3].grants[1].role`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: InputIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** The user must fix a flag or an argument. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The user must fix their workspace files; carries every issue found, not only the first. */
export class InputError extends Error {
  override name = "InputError";
  constructor(readonly issues: readonly InputIssue[], options?: ErrorOptions) {
    super(
      `${issues.length} problem${issues.length === 1 ? "" : "s"} in the workspace input:\n` +
        issues.map((issue) => `  ${formatIssue(issue)}`).join("\n"),
      options,
    );
  }
}

/** Something outside failed: Terraform, Okta, the Cerby API, the file system. */
export class ExternalError extends Error {
  override name = "ExternalError";
}

/** A run stopped on request (Ctrl-C) before its output was swapped in: nothing of it was written. */
export class SyncAborted extends Error {
  override name = "SyncAborted";
}

/** The stack's backend settings differ from those its state was initialized with. */
export class BackendChangedError extends UsageError {
  override name = "BackendChangedError";
  constructor(readonly terraformOutput: string) {
    super(
      "the state backend changed since this stack was last initialized (cerby-okta.yaml `backend:`): " +
        "Terraform will not plan until the state is moved. Run `cerby-okta migrate-state` to copy every stack's state to the new backend and check it",
    );
  }
}

/** Our bug. */
export class InternalError extends Error {
  override name = "InternalError";
}

/**
 * What to print for an error, and the exit code: the message and every cause
 * behind it (Terraform's own reason is usually a cause, and is never hidden)
 * for errors of the user or of something outside; a stack only for our bugs.
 */
export function errorReport(error: unknown): { text: string; exitCode: number } {
  if (error instanceof InputError || error instanceof UsageError || error instanceof ExternalError) {
    return { text: `error: ${error.message}\n${describeCauses(error)}`, exitCode: 1 };
  }
  const internal = error instanceof InternalError ? error : new InternalError(String(error), { cause: error });
  const stack = error instanceof Error && error.stack ? `${error.stack}\n` : "";
  return { text: `internal error (a bug in cerby-okta, please report it): ${internal.message}\n${stack}`, exitCode: 1 };
}

/** The reasons behind an error, each once. */
function describeCauses(error: Error): string {
  const seen = new Set([error.message]);
  let text = "";
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (!seen.has(message) && ![...seen].some((shown) => shown.includes(message))) text += `  because: ${message.replace(/\n/g, "\n  ")}\n`;
    seen.add(message);
    if (!(cause instanceof Error)) break;
  }
  return text;
}
