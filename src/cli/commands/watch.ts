// `cerby-okta watch`: keep the synthesized stacks (and, with --apply, Okta)
// in step with the workspace folders as they are edited. See docs/watch.md.
//
// Exit status: 0 when stopped by SIGINT (Ctrl-C) or SIGTERM and nothing was
// cut short but a sync whose output was dropped whole; 1 when the watch could
// not start, or when a Terraform run had to be interrupted to stop (Okta may
// then hold part of that change: the next start applies the stacks again);
// 130 when a second signal forces an immediate exit (without --apply; with
// it, the watch keeps waiting for Terraform, which is killed at the latest
// STOP_GRACE_MS after the first signal).
//
// The project (workspaces, output and state folders, shards, backend) is the
// one every command resolves (src/config/project.ts): the watcher writes the
// same stacks as `synth`, and `--apply` plans them as `plan` does, first-sync
// check included.
import type { Command } from "commander";
import { milliseconds } from "../number-options.ts";
import { UsageError } from "../../errors.ts";
import { STOP_GRACE_MS, terraformBinary, terraformWasKilled } from "../../terraform/terraform.ts";
import { checkTerraformVersion } from "../../terraform/version.ts";
import type { ApplyStacks, StopResult } from "../../watch/watcher.ts";
import { accessReaderFor, addAdoptionCheckOption, credentialCheck, existingObjectsReader, hasOktaCredentials, oktaChecksFor, type OktaAccessOptions } from "../okta-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import {
  addDestroyGuardOptions,
  addTerraformOptions,
  commandContext,
  destroyLimits,
  logProgress,
  pipelineOptions,
  terraformFor,
  type TerraformCommandOptions,
} from "../terraform-options.ts";

type WatchCommandOptions = TerraformCommandOptions & OktaAccessOptions & WaitOption & {
  apply?: boolean;
  debounce: number;
  allowDestroy?: boolean;
  maxDestroyPercent: number;
  maxDestroyCount: number;
};

const WAIT_HELP =
  "each sync waits for another cerby-okta command holding the project lock (a manual plan or apply) as long as it takes; " +
  "with SECONDS, at most that long, then that sync fails and is retried at the next change";

export function register(program: Command): void {
  addWaitOption(
    addAdoptionCheckOption(
      addDestroyGuardOptions(
        addTerraformOptions(
          program
            .command("watch")
            .description("re-synthesize the affected stacks on every change to the workspace folders; a bad edit is reported and the last good output kept")
            .option(
              "--apply",
              "after each change, plan (without refresh) and apply the stacks (shards) it changed, as `plan` and `apply` would: first-sync check, destroy guard, sync status",
            )
            .option("--debounce <ms>", "quiet time after the last file event before a sync", milliseconds, 50),
        ),
    ),
  ), WAIT_HELP).action(async (options: WatchCommandOptions) => {
    // Loaded here, not at the top: cdktf and chokidar would slow down the start of every other command.
    const { startWatcher } = await import("../../watch/watcher.ts");
    const { terraformApplier } = await import("../../watch/apply.ts");
    const only = options.stack;
    const context = await commandContext(options);
    const applier = options.apply
      ? terraformApplier({
          terraform: (signal) => terraformFor(options, signal, context),
          paths: context.paths,
          workspacesDir: context.workspacesDir,
          limits: destroyLimits(options),
          allowDestroy: options.allowDestroy === true,
          log: logProgress,
          reader: accessReaderFor(options),
          createCheck: (terraform) => existingObjectsReader(options, { terraform, paths: context.paths, log: logProgress }),
          oktaChecks: oktaChecksFor(options),
          checkCredentials: credentialCheck(options, process.env, "apply", context.stackOptions.oktaProviderVersion),
        })
      : undefined;
    if (options.apply && options.adoptionCheck !== false && !hasOktaCredentials()) {
      throw new UsageError(
        "watch --apply checks the apps and groups each sync would create against Okta (a lost or stale state would duplicate them), and no Okta credentials are set (OKTA_API_CLIENT_ID with OKTA_API_PRIVATE_KEY and OKTA_API_SCOPES, or OKTA_API_TOKEN): " +
          "set them, or pass --no-adoption-check if you are sure the org holds none of them",
      );
    }
    // A binary that cannot run these stacks is said now, not at the first edit; the check is kept for the session.
    if (options.apply) await checkTerraformVersion(terraformBinary(options.terraformBinary, context.resolved.terraformBinary, process.env), process.env);
    // --stack names stacks or whole workspaces (all their shards), as for `plan`.
    const applyStacks: ApplyStacks | undefined =
      applier && only
        ? (ids, signal, written) => applier(ids.filter((id) => only.includes(id) || only.includes(written.get(id)?.workspaceId ?? id)), signal, written)
        : applier;
    const watcher = startWatcher({
      ...pipelineOptions(context),
      debounceMs: options.debounce,
      applyStacks,
      // Each sync waits for another command's lock (a manual plan or apply) unless --wait gives a limit.
      lock: (signal) => lockProject(context, options.apply ? "watch --apply" : "watch", { wait: options.wait ?? true }, signal, { ifStateDirExists: !options.apply }),
    });

    let signalled: NodeJS.Signals | undefined;
    const stopped = new Promise<StopResult>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
          if (options.apply) {
            // Like `apply`: Terraform gets its time to stop cleanly (a killed one can leave a stale state lock), but no more.
            process.stderr.write(`${signal} again: still waiting for Terraform to stop (killed at the latest ${STOP_GRACE_MS / 1000} s after the first signal)\n`);
            return;
          }
          process.stderr.write(`${signal} again: exiting now\n`);
          process.exit(130);
        }
        signalled = signal;
        process.stderr.write(`${signal}: stopping (finishing or dropping the sync in flight) ...\n`);
        // At once, whatever the watcher is doing: its first sync and that sync's apply included.
        resolve(watcher.stop());
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    });

    try {
      await Promise.race([watcher.ready, stopped]);
    } catch (error) {
      await watcher.stop();
      throw error;
    }
    if (!signalled) process.stdout.write(`watching ${options.workspaces ?? context.workspacesDir} (Ctrl-C to stop)\n`);
    const result = await stopped;
    if (result.applyInterrupted) {
      process.stderr.write(
        terraformWasKilled()
          ? "stopped; Terraform had to be killed (see above): plan again before applying, or start the watch again\n"
          : "stopped; a Terraform run was interrupted: Okta may hold part of the last change, the next start applies the stacks again\n",
      );
      process.exitCode = 1;
    } else {
      process.stdout.write(result.syncInterrupted ? "stopped; the sync in flight was dropped, the output on disk is the last complete one\n" : "stopped\n");
      process.exitCode = 0;
    }
  });
}
