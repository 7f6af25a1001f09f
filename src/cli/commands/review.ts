import type { Command } from "commander";
import { planStacks, selectStacks } from "../../sync/plan.ts";
import { readPlanSet } from "../../sync/saved-plans.ts";
import { formatReviewMarkdown } from "../format-plan.ts";
import { addJsonOptions, checkJsonOptions, emitJson, jsonOnStdout, writeHuman } from "../json-output.ts";
import { planDocument, prLabels } from "../plan-readers.ts";
import { UsageError } from "../../errors.ts";
import { addWaitOption, lockProject } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { addAdoptionCheckOption, credentialCheck, existingObjectsReader, switchedOffStacks } from "../okta-options.ts";
import { addTerraformOptions, PLAN_PARALLEL_HELP, commandContext, pipelineOptions, logProgress, terraformFor } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { settleShards } from "../settle-shards.ts";
import type { PlanCommandOptions } from "./plan.ts";

export function register(program: Command): void {
  addJsonOptions(addWaitOption(addAdoptionCheckOption(
    addTerraformOptions(
      program
        .command("review")
        .description("plan like `plan`, and print the plan as Markdown for a pull-request comment (on stdout)"),
      { parallel: PLAN_PARALLEL_HELP },
    ),
  )), "the review ({ version, markdown, labels, refused, renumbered, stacks })")
    .option("--labels", "print the pull request's labels instead of the Markdown, one a line: no-changes, destroy (a resource deleted or replaced, or a chiclet taken from anyone), drift")
    .option("--saved", "render the plan saved by the last `plan` instead of planning again")
    .option("--all", "plan every stack, also those unchanged since their last successful apply here")
    .action(async (options: PlanCommandOptions & { saved?: boolean; labels?: boolean }) => {
      checkJsonOptions(options);
      if (options.labels && jsonOnStdout(options)) throw new UsageError("--labels and --json both print on stdout: give one (the JSON holds the labels)");
      const signal = interruptSignal();
      const context = await commandContext(options);
      let plans;
      if (options.saved) plans = (await readPlanSet(context.paths.stateDir)).plans;
      else {
        await lockProject(context, "review", options, signal); // it saves a plan set, as `plan` does
        const run = await synthesize(pipelineOptions(context));
        const { desired: state, stacks } = run;
        const terraform = terraformFor(options, signal, context);
        ({ plans } = await planStacks(state, selectStacks(state, stacks, options.stack), terraform, context.paths, {
          refresh: false,
          log: logProgress,
          parallel: options.parallel,
          all: options.all,
          decideFirst: new Set(run.written),
          workspacesDir: context.workspacesDir,
          existingObjects: existingObjectsReader(options, { terraform, paths: context.paths, log: logProgress, switchedOff: switchedOffStacks(context, state) }),
          checkCredentials: credentialCheck(options),
        }));
        // Recorded once the plan is made (a refused first sync records nothing), before any apply.
        await settleShards(context, run, { record: true });
      }
      const markdown = formatReviewMarkdown(plans);
      if (options.labels) process.stdout.write(prLabels(plans).map((label) => `${label}\n`).join(""));
      else writeHuman(options, markdown);
      await emitJson(options, planDocument(plans, { markdown }));
    });
}
