import type { Command } from "commander";
import { synthesizeAtomically } from "../../stack/synthesize.ts";
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
      await synthesizeAtomically(state, options.out);
      process.stdout.write(formatSynthSummary(state, options.out));
    });
}
