import type { Command } from "commander";
import { loadProjectConfig } from "../../config/project-config.ts";
import { workspaceWarnings } from "../../domain/desired-state.ts";
import { formatSynthSummary } from "../format-synth.ts";
import { loadDesiredState, workspacesOption } from "../workspaces-option.ts";

export const DEFAULT_OUT_DIR = "cdktf.out";

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
      for (const workspace of state.workspaces) {
        for (const warning of workspaceWarnings(workspace)) process.stderr.write(`warning: ${workspace.id}: ${warning}\n`);
      }
    });
}
