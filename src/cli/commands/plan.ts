import type { Command } from "commander";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addAdoptionCheckOption, existingObjectsReader } from "../okta-options.ts";
import { addTerraformOptions, commandContext, logProgress, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { loadDesiredState } from "../workspaces-option.ts";

export type PlanCommandOptions = TerraformCommandOptions & { json?: string; adoptionCheck: boolean; oktaUrl?: string };

export function register(program: Command): void {
  addAdoptionCheckOption(
    addTerraformOptions(
      program
        .command("plan")
        .description(
          "synthesize, then terraform init, plan and show for each stack; print the changes in Okta terms and save the plan for `apply`. " +
            "Incremental: resources are not read back from Okta (that is `reconcile`). Exit 0 no changes, 2 changes, 1 error",
        ),
    ),
  )
    .option("--json <file>", "also write a machine-readable report")
    .action(async (options: PlanCommandOptions) => {
      const signal = interruptSignal();
      const context = await commandContext(options);
      const state = await loadDesiredState(context.workspacesDir);
      const plans = await planStacks(state, selectStacks(state, options.stack), terraformFor(options, signal), context.paths, {
        refresh: false,
        log: logProgress,
        workspacesDir: context.workspacesDir,
        stackOptions: context.stackOptions,
        protectedPaths: context.protectedPaths,
        existingObjects: existingObjectsReader(options),
      });
      process.stdout.write(formatPlanSummary(plans));
      if (options.json) await writeFileAtomic(options.json, `${JSON.stringify({ version: 1, stacks: plans.map((plan) => plan.report) }, null, 2)}\n`);
      process.exitCode = plans.some((plan) => plan.report.hasChanges) ? 2 : 0;
    });
}
