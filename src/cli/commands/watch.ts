// `cerby-okta watch`: keep the synthesized stacks (and, with --apply, Okta)
// in step with the workspace folders as they are edited. See docs/watch.md.
//
// Exit status: 0 when stopped by SIGINT (Ctrl-C) or SIGTERM and nothing was
// cut short but a sync whose output was dropped whole; 1 when the watch could
// not start, or when a Terraform run had to be interrupted to stop (Okta may
// then hold part of that change: the next start applies the stacks again);
// 130 when a second signal forces an immediate exit.
import { InvalidArgumentError, type Command } from "commander";
import { UsageError } from "../../errors.ts";
import { startWatcher, type ApplyStacks } from "../../watch/watcher.ts";
import { workspacesOption } from "../workspaces-option.ts";
import { DEFAULT_OUT_DIR } from "./synth.ts";

export function register(program: Command): void {
  program
    .command("watch")
    .description("re-synthesize the affected stacks on every change to the workspace folders; a bad edit is reported and the last good output kept")
    .addOption(workspacesOption())
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .option("--apply", "after each change, plan and apply the changed stacks (needs the Terraform commands)")
    .option("--debounce <ms>", "quiet time after the last file event before a sync", parseMs, 50)
    .action(async (options: { workspaces: string; out: string; apply?: boolean; debounce: number }) => {
      const applyStacks = options.apply ? await terraformApplier() : undefined;
      const watcher = startWatcher({
        workspacesDir: options.workspaces,
        outDir: options.out,
        debounceMs: options.debounce,
        applyStacks,
      });

      let signalled: NodeJS.Signals | undefined;
      const stopped = new Promise<NodeJS.Signals>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          if (signalled) {
            process.stderr.write(`${signal} again: exiting now\n`);
            process.exit(130);
          }
          signalled = signal;
          process.stderr.write(`${signal}: stopping (finishing or dropping the sync in flight) ...\n`);
          resolve(signal);
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });

      try {
        await watcher.ready;
      } catch (error) {
        await watcher.stop();
        throw error;
      }
      process.stdout.write(`watching ${options.workspaces} (Ctrl-C to stop)\n`);
      await stopped;
      const result = await watcher.stop();
      if (result.applyInterrupted) {
        process.stderr.write("stopped; a Terraform run was interrupted: Okta may hold part of the last change, the next start applies the stacks again\n");
        process.exitCode = 1;
      } else {
        process.stdout.write(result.syncInterrupted ? "stopped; the sync in flight was dropped, the output on disk is the last complete one\n" : "stopped\n");
        process.exitCode = 0;
      }
    });
}

function parseMs(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new InvalidArgumentError("must be a whole number of milliseconds, 0 to 60000");
  return ms;
}

/** The Terraform side of --apply, from the Terraform commands (issue 3). */
async function terraformApplier(): Promise<ApplyStacks> {
  throw new UsageError(
    "--apply needs the Terraform commands (plan and apply of a stack), which are not part of this build yet; run `cerby-okta watch` without --apply and apply the stacks in the output folder yourself",
  );
}
