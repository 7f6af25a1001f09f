// The project lock at the command level (src/sync/project-lock.ts): the
// commands that change stacks, saved plans, status records or states take it
// before they start, and `runCli` releases it when they end. `--wait` waits
// for the holder instead of refusing at once.
import { InvalidArgumentError, type Command } from "commander";
import { existsSync } from "node:fs";
import { acquireProjectLock, type ProjectLock } from "../sync/project-lock.ts";
import type { CommandContext } from "./terraform-options.ts";

export interface WaitOption {
  /** `true` (no value): wait as long as it takes; a number: at most that many seconds. */
  wait?: true | number;
}

const WAIT_HELP =
  "when another cerby-okta command holds the project lock (plan, apply, reconcile, watch, ...), wait for it to finish instead of refusing at once; with SECONDS, at most that long";

export function addWaitOption(command: Command, help = WAIT_HELP): Command {
  return command.option(
    "--wait [seconds]",
    help,
    (text: string) => {
      const seconds = Number(text);
      if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError("must be a number of seconds, 0 or more");
      return seconds;
    },
  );
}

/**
 * Takes the project lock for `command`, or refuses naming its holder; released
 * when the command ends. `ifStateDirExists` for commands that only write stack
 * folders (`synth`, `watch`): without a state folder nothing here ever planned
 * or applied, and such a command must not create one.
 */
export async function lockProject(
  context: CommandContext,
  command: string,
  options: WaitOption,
  signal?: AbortSignal,
  { ifStateDirExists = false } = {},
): Promise<Pick<ProjectLock, "release">> {
  if (ifStateDirExists && !existsSync(context.paths.stateDir)) return { release: async () => undefined };
  return acquireProjectLock(context.paths.stateDir, {
    command,
    waitSeconds: options.wait === true ? Infinity : options.wait,
    log: (message) => process.stderr.write(`${message}\n`),
    signal,
  });
}
