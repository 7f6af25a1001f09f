// `cerby-okta watch`: keep the synthesized stacks (and, with --apply, Okta)
// in step with the workspace folders as they are edited. See docs/watch.md.
//
// Exit status: 0 when stopped by SIGINT (Ctrl-C) or SIGTERM and nothing was
// cut short but a sync whose output was dropped whole; 1 when the watch could
// not start, or when a Terraform run had to be interrupted to stop (Okta may
// then hold part of that change: the next start applies the stacks again);
// 130 when a second signal forces an immediate exit (without --apply; with
// it, the watch keeps waiting for Terraform to stop cleanly).
import type { Command } from "commander";
import { milliseconds } from "../number-options.ts";
import type { ApplyStacks } from "../../watch/watcher.ts";
import { accessReaderFor, oktaChecksFor } from "../okta-options.ts";
import { addDestroyGuardOptions, addTerraformOptions, commandContext, destroyLimits, logProgress, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type WatchCommandOptions = TerraformCommandOptions & {
  apply?: boolean;
  debounce: number;
  allowDestroy?: boolean;
  maxDestroyPercent: number;
  maxDestroyCount: number;
};

export function register(program: Command): void {
  addDestroyGuardOptions(
    addTerraformOptions(
      program
        .command("watch")
        .description("re-synthesize the affected stacks on every change to the workspace folders; a bad edit is reported and the last good output kept")
        .option("--apply", "after each change, plan (without refresh) and apply the changed stacks, under the destroy guard")
        .option("--debounce <ms>", "quiet time after the last file event before a sync", milliseconds, 50),
    ),
  ).action(async (options: WatchCommandOptions) => {
    // Loaded here, not at the top: cdktf and chokidar would slow down the start of every other command.
    const { startWatcher } = await import("../../watch/watcher.ts");
    const { terraformApplier } = await import("../../watch/apply.ts");
    const only = options.stack;
    const context = await commandContext(options);
    const applier = options.apply
      ? terraformApplier({
          terraform: (signal) => terraformFor(options, signal),
          paths: context.paths,
          workspacesDir: context.workspacesDir,
          limits: destroyLimits(options),
          allowDestroy: options.allowDestroy === true,
          log: logProgress,
          reader: accessReaderFor({}),
          oktaChecks: oktaChecksFor({}),
        })
      : undefined;
    const applyStacks: ApplyStacks | undefined =
      applier && only ? (ids, signal, written) => applier(ids.filter((id) => only.includes(id)), signal, written) : applier;
    const watcher = startWatcher({
      workspacesDir: context.workspacesDir,
      outDir: context.paths.outDir,
      debounceMs: options.debounce,
      applyStacks,
      stackOptions: context.stackOptions,
      protectedPaths: context.protectedPaths,
    });

    let signalled: NodeJS.Signals | undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
          if (options.apply) {
            // Like `apply`: a killed Terraform can leave a stale state lock, worse than waiting.
            process.stderr.write(`${signal} again: still waiting for Terraform to stop cleanly\n`);
            return;
          }
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
    process.stdout.write(`watching ${options.workspaces ?? context.workspacesDir} (Ctrl-C to stop)\n`);
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
