import type { Command } from "commander";
import { loadProjectConfig } from "../../config/project-config.ts";
import { workspaceWarnings } from "../../domain/desired-state.ts";
import { formatSynthSummary } from "../format-synth.ts";
import { loadDesiredState, workspacesOption } from "../workspaces-option.ts";

export const DEFAULT_OUT_DIR = "cdktf.out";
/** A long list of warnings buries the summary: the rest are one `preview` away. */
const MAX_WARNINGS_SHOWN = 20;

export function register(program: Command): void {
  program
    .command("synth")
    .description("write the Terraform configuration, one stack per synced workspace; nothing is written unless all of it succeeds")
    .addOption(workspacesOption())
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .action(async (options: { workspaces: string; out: string }) => {
      const state = await loadDesiredState(options.workspaces);
      // cdktf takes a while to load: only the commands that synthesize pay for it.
      const { synthesizeAtomically } = await import("../../stack/synthesize.ts");
      await synthesizeAtomically(state, options.out, { backend: (await loadProjectConfig()).backend });
      process.stdout.write(formatSynthSummary(state, options.out));
      const warnings = state.workspaces.flatMap((workspace) => workspaceWarnings(workspace).map((warning) => `${workspace.id}: ${warning}`));
      for (const warning of warnings.slice(0, MAX_WARNINGS_SHOWN)) process.stderr.write(`warning: ${warning}\n`);
      if (warnings.length > MAX_WARNINGS_SHOWN) {
        process.stderr.write(`warning: ... and ${warnings.length - MAX_WARNINGS_SHOWN} more; \`cerby-okta preview\` lists them all\n`);
      }
    });
}
