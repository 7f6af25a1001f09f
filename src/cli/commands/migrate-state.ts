// `cerby-okta migrate-state`: after `backend:` in cerby-okta.yaml changed,
// move every stack's state to the new backend and check that it all arrived.
// Run again after a failure or a stop, it moves only what is left.
import type { Command } from "commander";
import { migrateStates, type MigrationResult } from "../../sync/migrate-state.ts";
import { selectStacks } from "../../sync/plan.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { addTerraformOptions, commandContext, decideFor, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";

export function register(program: Command): void {
  addWaitOption(addTerraformOptions(
    program
      .command("migrate-state")
      .description(
        "after the `backend:` of cerby-okta.yaml changed: copy each stack's state from the backend it was initialized with to the new one " +
          "(terraform init -migrate-state), then check the new state holds every resource and app. Run it where the last plan or apply ran; " +
          "run it again after a failure or a stop: it moves only what is left. A destination holding another or a newer state is never overwritten",
      ),
  )).action(async (options: TerraformCommandOptions & WaitOption) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "migrate-state", options, signal);
    const { desired, stacks } = await decideFor(context);
    await migrateStates(selectStacks(desired, stacks, options.stack).map((stack) => stack.id), terraformFor(options, signal, context), context.paths, {
      stackOptions: context.stackOptions,
      // Only the stacks being moved get the new backend: the others stay as they are (--stack).
      resynthesize: (only) => synthesize({ ...pipelineOptions(context), allowBackendChange: true, onlyStacks: new Set(only) }),
      log: logProgress,
      report: (result) => process.stdout.write(describeResult(result)),
    });
  });
}

function describeResult(result: MigrationResult): string {
  const checked = `checked: ${result.resources} resources, ${result.apps} apps`;
  if (result.outcome === "moved") return `${result.stack}: state moved from ${result.from} to ${result.to}; ${checked}\n`;
  if (result.outcome === "already") return `${result.stack}: already in ${result.to}; ${checked}\n`;
  return `${result.stack}: never planned here, no state to move; it starts in ${result.to}\n`;
}
