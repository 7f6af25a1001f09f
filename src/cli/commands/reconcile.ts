import type { Command } from "commander";
import { applySavedPlans } from "../../sync/apply.ts";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { addJsonOptions, checkJsonOptions, emitJson, writeHuman } from "../json-output.ts";
import { planDocument } from "../plan-readers.ts";
import { addWaitOption, lockProject } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { accessReaderFor, addAdoptionCheckOption, clearAdoptions, credentialCheck, existingObjectsReader, switchedOffStacks, oktaChecksFor } from "../okta-options.ts";
import { addDestroyGuardOptions, addTerraformOptions, commandContext, pipelineOptions, destroyLimits, logProgress, terraformFor } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { settleShards } from "../settle-shards.ts";
import type { PlanCommandOptions } from "./plan.ts";

type ReconcileOptions = PlanCommandOptions & { apply?: boolean; allowDestroy?: boolean; maxDestroyPercent: number; maxDestroyCount: number };

export function register(program: Command): void {
  addJsonOptions(addWaitOption(addAdoptionCheckOption(
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
  )), "the report, drift included ({ version, reconciledAt, applied, labels, refused, renumbered, stacks }; keep it as a CI artifact)", { acceptsFile: true })
    .option("--apply", "apply the plan (under the destroy guard)")
    .action(async (options: ReconcileOptions) => {
      checkJsonOptions(options);
      const signal = interruptSignal();
      const context = await commandContext(options);
      await lockProject(context, options.apply ? "reconcile --apply" : "reconcile", options, signal);
      const run = await synthesize(pipelineOptions(context));
      const { desired: state, stacks } = run;
      const terraform = terraformFor(options, signal, context);
      const { set, plans } = await planStacks(state, selectStacks(state, stacks, options.stack), terraform, context.paths, {
        refresh: true,
        log: logProgress,
        parallel: options.parallel,
        all: options.all,
        workspacesDir: context.workspacesDir,
        existingObjects: existingObjectsReader(options, { terraform, paths: context.paths, log: logProgress, switchedOff: switchedOffStacks(context, state) }),
        oktaChecks: oktaChecksFor(options),
        checkCredentials: credentialCheck(options, process.env, options.apply ? "apply" : "read", context.stackOptions.oktaProviderVersion),
      });
      // Recorded once the plan is made (a refused first sync records nothing), before any apply.
      await settleShards(context, run, { record: true });
      writeHuman(options, formatPlanSummary(plans));
      const outOfStep = plans.some((plan) => plan.report.hasChanges || plan.report.drift.length > 0);
      let applied: readonly string[] = [];
      if (options.apply && outOfStep) {
        ({ applied } = await applySavedPlans(set, plans, terraform, context.paths, {
          limits: destroyLimits(options),
          allowDestroy: options.allowDestroy === true,
          log: logProgress,
          reader: accessReaderFor(options),
          parallel: options.parallel,
        }));
        await clearAdoptions(context.paths.stateDir, applied);
      }
      await emitJson(options, planDocument(plans, { reconciledAt: new Date().toISOString(), applied }));
      process.exitCode = outOfStep ? 2 : 0;
    });
}
