import type { Command } from "commander";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addAdoptionCheckOption, existingObjectsReader, switchedOffStacks, oktaChecksFor } from "../okta-options.ts";
import { addTerraformOptions, PLAN_PARALLEL_HELP, commandContext, pipelineOptions, logProgress, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { unappliedStacks } from "../../sync/saved-plans.ts";
import { settleShards } from "../settle-shards.ts";

export type PlanCommandOptions = TerraformCommandOptions & WaitOption & { json?: string; adoptionCheck: boolean; oktaUrl?: string; all?: boolean };

export function register(program: Command): void {
  addWaitOption(addAdoptionCheckOption(
    addTerraformOptions(
      program
        .command("plan")
        .description(
          "synthesize, then terraform init, plan and show for each stack; print the changes in Okta terms and save the plan for `apply`. " +
            "Incremental: resources are not read back from Okta (that is `reconcile`). " +
            "A large workspace that never synced is sharded to the advised count, recorded in cerby-okta.yaml `shards:` (commit it). " +
            "Exit 0 no changes, 2 changes, 1 error",
        ),
      { parallel: PLAN_PARALLEL_HELP },
    ),
  ))
    .option("--json <file>", "also write a machine-readable report")
    .option("--all", "plan every stack, also those unchanged since their last successful apply here")
    .action(async (options: PlanCommandOptions) => {
      const signal = interruptSignal();
      const context = await commandContext(options);
      await lockProject(context, "plan", options, signal);
      const replaced = await unappliedStacks(context.paths.stateDir);
      if (replaced.length > 0) logProgress(`the saved plan of ${replaced.join(", ")}, never applied, is replaced by this plan: apply applies only the newest plan set`);
      const run = await synthesize(pipelineOptions(context));
      const { desired: state, stacks } = run;
      const terraform = terraformFor(options, signal);
      const plans = await planStacks(state, selectStacks(state, stacks, options.stack), terraform, context.paths, {
        refresh: false,
        log: logProgress,
        parallel: options.parallel,
        all: options.all,
        workspacesDir: context.workspacesDir,
        existingObjects: existingObjectsReader(options, { terraform, paths: context.paths, log: logProgress, switchedOff: switchedOffStacks(context, state) }),
        oktaChecks: oktaChecksFor(options),
      });
      // Recorded once the plan is made (a refused first sync records nothing), before any apply.
      await settleShards(context, run, { record: true });
      process.stdout.write(formatPlanSummary(plans));
      if (options.json) await writeFileAtomic(options.json, `${JSON.stringify({ version: 1, stacks: plans.map((plan) => plan.report) }, null, 2)}\n`);
      process.exitCode = plans.some((plan) => plan.report.hasChanges) ? 2 : 0;
    });
}
