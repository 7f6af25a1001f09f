import type { Command } from "commander";
import { planStacks, readSavedPlans, selectStacks } from "../../sync/workflow.ts";
import { formatReviewMarkdown } from "../format-plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addTerraformOptions, stackOptions, logProgress, syncPaths, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { loadDesiredState } from "../workspaces-option.ts";

export function register(program: Command): void {
  addTerraformOptions(
    program
      .command("review")
      .description("plan like `plan`, and print the plan as Markdown for a pull-request comment (on stdout)"),
  )
    .option("--saved", "render the plan saved by the last `plan` instead of planning again")
    .action(async (options: TerraformCommandOptions & { saved?: boolean }) => {
      const signal = interruptSignal();
      let plans;
      if (options.saved) plans = await readSavedPlans(syncPaths(options));
      else {
        const state = await loadDesiredState(options.workspaces);
        plans = await planStacks(state, selectStacks(state, options.stack), terraformFor(options, signal), syncPaths(options), {
          refresh: false,
          stackOptions: await stackOptions(),
          log: logProgress,
        });
      }
      process.stdout.write(formatReviewMarkdown(plans));
    });
}
