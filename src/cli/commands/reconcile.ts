import type { Command } from "commander";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { applySavedPlans } from "../../sync/apply.ts";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { readPlanSet } from "../../sync/saved-plans.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { addWaitOption, lockProject } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { accessReaderFor, addAdoptionCheckOption, clearAdoptions, existingObjectsReader, switchedOffStacks, oktaChecksFor } from "../okta-options.ts";
import { addDestroyGuardOptions, addTerraformOptions, commandContext, pipelineOptions, destroyLimits, logProgress, terraformFor } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { settleShards } from "../settle-shards.ts";
import type { PlanCommandOptions } from "./plan.ts";

type ReconcileOptions = PlanCommandOptions & { apply?: boolean; allowDestroy?: boolean; maxDestroyPercent: number; maxDestroyCount: number };

export function register(program: Command): void {
  addWaitOption(addAdoptionCheckOption(
    addDestroyGuardOptions(
      addTerraformOptions(
        program
          .command("reconcile")
          .description(
            "for schedules: read everything back from Okta, plan, report drift (changes made in the Okta console); with --apply, apply. " +
              "Exit 0 in step, 2 drift or changes, 1 error",
          ),
        { parallel: "plan (and with --apply, apply) this many stacks at once (default 1); each keeps to its workspace's whole rate-limit share, with Terraform's -parallelism divided among them" },
      ),
    ),
  ))
    .option("--apply", "apply the plan (under the destroy guard)")
    .option("--json <file>", "write a JSON report (keep it as a CI artifact)")
    .action(async (options: ReconcileOptions) => {
      const signal = interruptSignal();
      const context = await commandContext(options);
      await lockProject(context, options.apply ? "reconcile --apply" : "reconcile", options, signal);
      const run = await synthesize(pipelineOptions(context));
      const { desired: state, stacks } = run;
      const terraform = terraformFor(options, signal);
      const plans = await planStacks(state, selectStacks(state, stacks, options.stack), terraform, context.paths, {
        refresh: true,
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
      const outOfStep = plans.some((plan) => plan.report.hasChanges || plan.report.drift.length > 0);
      let applied: readonly string[] = [];
      if (options.apply && outOfStep) {
        const { set } = await readPlanSet(context.paths.stateDir);
        ({ applied } = await applySavedPlans(set, plans, terraform, context.paths, {
          limits: destroyLimits(options),
          allowDestroy: options.allowDestroy === true,
          log: logProgress,
          reader: accessReaderFor(options),
          parallel: options.parallel,
        }));
        await clearAdoptions(context.paths.stateDir, applied);
      }
      if (options.json) {
        const report = { version: 1, reconciledAt: new Date().toISOString(), applied, stacks: plans.map((plan) => plan.report) };
        await writeFileAtomic(options.json, `${JSON.stringify(report, null, 2)}\n`);
      }
      process.exitCode = outOfStep ? 2 : 0;
    });
}
