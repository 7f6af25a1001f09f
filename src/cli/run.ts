// Runs the commander program and turns errors into messages and exit codes:
// 1 for anything that went wrong (commands that mirror `terraform plan
// -detailed-exitcode` return 2 themselves for "changes pending").
import { CommanderError, type Command } from "commander";
import { interruption, INTERRUPTED_EXIT_CODE } from "./interrupt.ts";
import { errorReport } from "../errors.ts";
import { terraformWasKilled } from "../terraform/terraform.ts";
import { releaseHeldLocks } from "../sync/project-lock.ts";

export async function runCli(program: Command, argv: readonly string[]): Promise<number> {
  program.exitOverride();
  let code: number;
  try {
    await program.parseAsync(argv as string[]);
    code = typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    code = reportError(error);
  } finally {
    await releaseHeldLocks();
  }
  const signal = interruption();
  if (signal) {
    process.stderr.write(
      terraformWasKilled()
        ? `stopped by ${signal}; Terraform had to be killed (see above). Plan again before applying.\n`
        : `stopped by ${signal}; Terraform exited cleanly (no state lock left). Run the command again to finish.\n`,
    );
    return INTERRUPTED_EXIT_CODE;
  }
  return code;
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed help or the usage problem.
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 1;
  }
  const { text, exitCode } = errorReport(error);
  process.stderr.write(text);
  return exitCode;
}
