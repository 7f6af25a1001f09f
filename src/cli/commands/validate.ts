import type { Command } from "commander";
import { loadWorkspaces } from "../../workspace/load.ts";
import { workspacesDirOf, workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  program
    .command("validate")
    .description("check the workspace files; print every problem with file, line and field; exit 1 on any")
    .addOption(workspacesOption())
    .action(async (options: { workspaces?: string }) => {
      const workspaces = await loadWorkspaces(await workspacesDirOf(options.workspaces));
      const accounts = workspaces.reduce((sum, workspace) => sum + workspace.accounts.length, 0);
      // A message, not data: stdout stays empty for scripts.
      process.stderr.write(`ok: ${workspaces.length} workspace${workspaces.length === 1 ? "" : "s"}, ${accounts} account${accounts === 1 ? "" : "s"}\n`);
    });
}
