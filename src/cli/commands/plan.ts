import type { Command } from "commander";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { addJsonOptions, checkJsonOptions, emitJson, writeHuman, type JsonOutputOptions } from "../json-output.ts";
import { planDocument } from "../plan-readers.ts";
import { interruptSignal } from "../interrupt.ts";
import { addAdoptionCheckOption, credentialCheck, existingObjectsReader, switchedOffStacks, oktaChecksFor } from "../okta-options.ts";
import { addTerraformOptions, PLAN_PARALLEL_HELP, commandContext, pipelineOptions, logProgress, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { unappliedStacks } from "../../sync/saved-plans.ts";
import { settleShards } from "../settle-shards.ts";

export type PlanCommandOptions = TerraformCommandOptions & WaitOption & JsonOutputOptions & { adoptionCheck: boolean; oktaUrl?: string; all?: boolean };

export function register(program: Command): void {
  addJsonOptions(addWaitOption(addAdoptionCheckOption(
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
  )), "the plan report ({ version, labels, refused, renumbered, stacks })", { acceptsFile: true })
    .option("--all", "plan every stack, also those unchanged since their last successful apply here")
    .action(async (options: PlanCommandOptions) => {
      checkJsonOptions(options);
      const signal = interruptSignal();
      const context = await commandContext(options);
      await lockProject(context, "plan", options, signal);
      const replaced = await unappliedStacks(context.paths.stateDir);
      if (replaced.length > 0) logProgress(`the saved plan of ${replaced.join(", ")}, never applied, is replaced by this plan: apply applies only the newest plan set`);
      const run = await synthesize(pipelineOptions(context));
      const { desired: state, stacks } = run;
      const terraform = terraformFor(options, signal, context);
      const { plans } = await planStacks(state, selectStacks(state, stacks, options.stack), terraform, context.paths, {
        refresh: false,
        log: logProgress,
        parallel: options.parallel,
        all: options.all,
        decideFirst: new Set(run.written),
        workspacesDir: context.workspacesDir,
        existingObjects: existingObjectsReader(options, { terraform, paths: context.paths, log: logProgress, switchedOff: switchedOffStacks(context, state) }),
        oktaChecks: oktaChecksFor(options),
        checkCredentials: credentialCheck(options),
      });
      // Recorded once the plan is made (a refused first sync records nothing), before any apply.
      await settleShards(context, run, { record: true });
      writeHuman(options, formatPlanSummary(plans));
      await emitJson(options, planDocument(plans));
      process.exitCode = plans.some((plan) => plan.report.hasChanges) ? 2 : 0;
    });
}
