// Runs the commander program and turns errors into messages and exit codes:
// 1 for anything that went wrong (commands that mirror `terraform plan
// -detailed-exitcode` return 2 themselves for "changes pending").
import { CommanderError, type Command } from "commander";
import { interruption, INTERRUPTED_EXIT_CODE } from "./interrupt.ts";
import { ExternalError, InputError, InternalError, UsageError } from "../errors.ts";

export async function runCli(program: Command, argv: readonly string[]): Promise<number> {
  program.exitOverride();
  let code: number;
  try {
    await program.parseAsync(argv as string[]);
    code = typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    code = reportError(error);
  }
  const signal = interruption();
  if (signal) {
    process.stderr.write(`stopped by ${signal}; Terraform exited cleanly (no state lock left). Run the command again to finish.\n`);
    return INTERRUPTED_EXIT_CODE;
  }
  return code;
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed help or the usage problem.
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 1;
  }
  if (error instanceof InputError || error instanceof UsageError || error instanceof ExternalError) {
    process.stderr.write(`error: ${error.message}\n${describeCauses(error)}`);
    return 1;
  }
  const internal = error instanceof InternalError ? error : new InternalError(String(error), { cause: error });
  process.stderr.write(`internal error (a bug in cerby-okta, please report it): ${internal.message}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** The reasons behind an error (Terraform's own message is usually a cause), each once, never hidden. */
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
