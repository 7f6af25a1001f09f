import type { Command } from "commander";
import { workspaceWarnings } from "../../domain/desired-state.ts";
import { formatSynthSummary } from "../format-synth.ts";
import { addOutOption, commandContext, pipelineOptions } from "../terraform-options.ts";
import { workspacesOption } from "../workspaces-option.ts";
import { synthesize } from "../../pipeline/pipeline.ts";

/** A long list of warnings buries the summary: the rest are one `preview` away. */
const MAX_WARNINGS_SHOWN = 20;

export function register(program: Command): void {
  addOutOption(
    program
      .command("synth")
      .description("write the Terraform configuration, one stack per synced workspace; nothing is written unless all of it succeeds")
      .addOption(workspacesOption()),
  )
    .option("--no-warnings", "do not repeat the warnings `preview` shows")
    .action(async (options: { workspaces?: string; out?: string; warnings: boolean }) => {
      const context = await commandContext(options);
      const { desired: state } = await synthesize(pipelineOptions(context));
      process.stdout.write(formatSynthSummary(state, options.out ?? context.paths.outDir));
      if (!options.warnings) return;
      const warnings = state.workspaces.flatMap((workspace) => workspaceWarnings(workspace).map((warning) => `${workspace.id}: ${warning}`));
      for (const warning of warnings.slice(0, MAX_WARNINGS_SHOWN)) process.stderr.write(`warning: ${warning}\n`);
      if (warnings.length > MAX_WARNINGS_SHOWN) {
        process.stderr.write(`warning: ... and ${warnings.length - MAX_WARNINGS_SHOWN} more; \`cerby-okta preview\` lists them all\n`);
      }
    });
}
