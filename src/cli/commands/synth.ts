import type { Command } from "commander";
import { warningLines } from "../../domain/desired-state.ts";
import { formatSynthSummary } from "../format-synth.ts";
import { addOutOption, commandContext, pipelineOptions } from "../terraform-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { workspacesOption } from "../workspaces-option.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { settleShards } from "../settle-shards.ts";

export function register(program: Command): void {
  addWaitOption(addOutOption(
    program
      .command("synth")
      .description("write the Terraform configuration, one stack per synced workspace; nothing is written unless all of it succeeds")
      .addOption(workspacesOption()),
  ))
    .option("--no-warnings", "do not repeat the warnings `preview` shows")
    .action(async (options: WaitOption & { workspaces?: string; out?: string; warnings: boolean }) => {
      const context = await commandContext(options);
      // A running plan, apply or watch uses the stack folders this rewrites.
      await lockProject(context, "synth", options, undefined, { ifStateDirExists: true });
      const run = await synthesize(pipelineOptions(context));
      const state = run.desired;
      await settleShards(context, run, { record: false });
      const stacks = new Map<string, number>();
      for (const stack of run.stacks) stacks.set(stack.workspaceId, (stacks.get(stack.workspaceId) ?? 0) + 1);
      process.stdout.write(formatSynthSummary(state, options.out ?? context.paths.outDir, { stacks, ...(context.stackOptions.oktaProviderVersion ? { release: context.stackOptions.oktaProviderVersion } : {}) }));
      if (!options.warnings) return;
      for (const line of warningLines(state)) process.stderr.write(`${line}\n`);
    });
}
