// Terraform's state lock held by another run. A run killed with kill -9 (or a
// cancelled CI job) leaves the lock behind in a remote backend (the S3 lock
// file, a DynamoDB item, ...), and every later run waits, then fails with
// Terraform's lock error. Only a person can tell that the other run is dead:
// the message says which stack folder, and the exact command that frees it.

/**
 * Terraform 1.11's error when it cannot take the lock (plain text; with
 * `-json`, the same in a diagnostic's `summary` and `detail`):
 *
 *   Error: Error acquiring the state lock
 *
 *   Error message: resource temporarily unavailable
 *   Lock Info:
 *     ID:        2d6c4f3a-8e7b-1c2d-9f00-aa11bb22cc33
 *     Path:      terraform.tfstate
 *     Operation: OperationTypeApply
 *     Who:       ci@runner-7
 *     Version:   1.11.4
 *     Created:   2026-12-05 22:01:02.123456 +0000 UTC
 *     Info:
 */
const LOCK_ERROR = /Error acquiring the state lock/;
const lockField = (output: string, name: string) => new RegExp(`^[\\s│]*${name}:[ \\t]*(\\S.*?)\\s*$`, "m").exec(output)?.[1];

/** What to tell a person when Terraform's output is its state-lock error; undefined for any other output. */
export function stateLockAdvice(output: string, stackDir: string, binary: string): string | undefined {
  if (!LOCK_ERROR.test(output)) return undefined;
  const id = lockField(output, "ID");
  const who = lockField(output, "Who");
  const operation = lockField(output, "Operation")?.replace(/^OperationType/, "").toLowerCase();
  const created = lockField(output, "Created");
  const holder = [who && `by ${who}`, operation && operation !== "invalid" && `running terraform ${operation}`, created && `since ${created}`].filter(Boolean).join(", ");
  const unlock = id
    ? `run, in that folder:\n  cd ${shellQuote(stackDir)} && ${binary} force-unlock ${shellQuote(id)}`
    : `run \`${binary} force-unlock <lock ID>\` in that folder, with the ID from Terraform's message`;
  return (
    `the Terraform state of the stack in ${stackDir} is locked by another Terraform run${holder ? ` (${holder})` : ""}; nothing was changed. ` +
    `If that run is still going (a cerby-okta or cdktf command elsewhere, a CI job), wait for it and run again. ` +
    `Once it is surely dead (killed with kill -9, a cancelled CI job), free the lock: ${unlock}`
  );
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
