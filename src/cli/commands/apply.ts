import type { Command } from "commander";
import { applySavedPlans, loadPlanSetForApply, parseExpectedDigests, refuseUnreviewed } from "../../sync/apply.ts";
import { accessReaderFor, addOktaUrlOption, clearAdoptions, credentialCheckOfStacks } from "../okta-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { addJsonOptions, emitJson, writeHuman, type JsonOutputOptions } from "../json-output.ts";
import { addDestroyGuardOptions, addTerraformOptions, commandContext, destroyLimits, logProgress, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type ApplyCommandOptions = TerraformCommandOptions & WaitOption & JsonOutputOptions & { allowDestroy?: boolean; maxDestroyPercent: number; maxDestroyCount: number; oktaUrl?: string; expectDigest?: string[] };

export function register(program: Command): void {
  addJsonOptions(addWaitOption(addOktaUrlOption(addDestroyGuardOptions(
    addTerraformOptions(
      program
        .command("apply")
        .description(
          "apply exactly the plans saved by the last `plan` (never a fresh one), stack by stack, under the destroy guard; " +
            "then read back what changed in place and check it against Okta; record sync status",
        ),
      { readsWorkspaces: false, parallel: "apply this many stacks at once (default: as many as `plan --parallel` planned at once); each keeps to its workspace's whole rate-limit share, with Terraform's -parallelism divided among them" },
    ),
  ))), "what was applied ({ version, applied: [stack, ...] })")
    .option(
      "--expect-digest <stack=digest...>",
      "apply only if every stack with changes has exactly the plan reviewed: its digest as the review comment printed it (sha256:...); else refuse, changing nothing",
    )
    .action(async (options: ApplyCommandOptions) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "apply", options, signal);
    // Terraform's version is checked while the saved stacks are compared with the plans, when any plan needs it.
    const { set, plans, paths } = await loadPlanSetForApply(context.paths.stateDir, options.out, () => terraformFor(options, signal, context).checkVersionSoon());
    const selected = options.stack ? plans.filter((plan) => options.stack!.includes(plan.stack) || options.stack!.includes(plan.workspaceId)) : plans;
    if (options.expectDigest) refuseUnreviewed(selected, parseExpectedDigests(options.expectDigest));
    const { applied } = await applySavedPlans(set, selected, terraformFor(options, signal, context, options.parallel ?? set.parallel), paths, {
      limits: destroyLimits(options),
      allowDestroy: options.allowDestroy === true,
      log: logProgress,
      reader: accessReaderFor(options),
      checkCredentials: credentialCheckOfStacks(options, paths, process.env, "apply", context.stackOptions.oktaProviderVersion),
      parallel: options.parallel,
    });
    await clearAdoptions(paths.stateDir, applied);
    writeHuman(options, `applied: ${applied.join(", ") || "nothing"}\n`);
    await emitJson(options, { version: 1, applied });
  });
}
