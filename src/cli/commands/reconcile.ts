import type { Command } from "commander";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { applySavedPlans, planStacks, selectStacks } from "../../sync/workflow.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addDestroyGuardOptions, addTerraformOptions, stackOptions, destroyLimits, logProgress, syncPaths, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { loadDesiredState } from "../workspaces-option.ts";

export function register(program: Command): void {
  addDestroyGuardOptions(
    addTerraformOptions(
      program
        .command("reconcile")
        .description(
          "for schedules: read everything back from Okta, plan, report drift (changes made in the Okta console); with --apply, apply. " +
            "Exit 0 in step, 2 drift or changes, 1 error",
        ),
    ),
  )
    .option("--apply", "apply the plan (under the destroy guard)")
    .option("--json <file>", "write a JSON report (keep it as a CI artifact)")
    .action(async (options: TerraformCommandOptions & { apply?: boolean; json?: string; allowDestroy?: boolean; maxDestroyPercent: number; maxDestroyCount: number }) => {
      const signal = interruptSignal();
      const state = await loadDesiredState(options.workspaces);
      const terraform = terraformFor(options, signal);
      const plans = await planStacks(state, selectStacks(state, options.stack), terraform, syncPaths(options), { refresh: true, log: logProgress, stackOptions: await stackOptions() });
      process.stdout.write(formatPlanSummary(plans));
      const outOfStep = plans.some((plan) => plan.report.hasChanges || plan.report.drift.length > 0);
      let applied: string[] = [];
      if (options.apply && outOfStep) {
        ({ applied } = await applySavedPlans(plans, terraform, syncPaths(options), {
          limits: destroyLimits(options),
          allowDestroy: options.allowDestroy === true,
          log: logProgress,
        }));
      }
      if (options.json) {
        const report = { version: 1, reconciledAt: new Date().toISOString(), applied, stacks: plans.map((plan) => plan.report) };
        await writeFileAtomic(options.json, `${JSON.stringify(report, null, 2)}\n`);
      }
      process.exitCode = outOfStep ? 2 : 0;
    });
}
