// `cerby-okta migrate-state`: after `backend:` in cerby-okta.yaml changed,
// move every stack's state to the new backend and check that it all arrived.
import type { Command } from "commander";
import { migrateStates } from "../../sync/migrate-state.ts";
import { selectStacks } from "../../sync/plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addTerraformOptions, commandContext, decideFor, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";

export function register(program: Command): void {
  addTerraformOptions(
    program
      .command("migrate-state")
      .description(
        "after the `backend:` of cerby-okta.yaml changed: copy each stack's state from the backend it was initialized with to the new one " +
          "(terraform init -migrate-state), then check the new state holds every resource and app. Run it where the last plan or apply ran",
      ),
  ).action(async (options: TerraformCommandOptions) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    const { desired, stacks } = await decideFor(context);
    const results = await migrateStates(selectStacks(desired, stacks, options.stack).map((stack) => stack.id), terraformFor(options, signal), context.paths, {
      stackOptions: context.stackOptions,
      resynthesize: () => synthesize({ ...pipelineOptions(context), allowBackendChange: true }),
      log: logProgress,
    });
    for (const result of results) {
      process.stdout.write(`${result.stack}: state moved from ${result.from} to ${result.to}; checked: ${result.resources} resources, ${result.apps} apps\n`);
    }
  });
}
