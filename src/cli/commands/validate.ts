import type { Command } from "commander";
import { decideProject, settleShards } from "../settle-shards.ts";
import { workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  program
    .command("validate")
    .description("check the workspace files; print every problem with file, line and field; exit 1 on any. Also says when a workspace's shard count is far from the advised one")
    .addOption(workspacesOption())
    .action(async (options: { workspaces?: string }) => {
      const { project, run } = await decideProject(options.workspaces);
      const accounts = run.workspaces.reduce((sum, workspace) => sum + workspace.accounts.length, 0);
      // A message, not data: stdout stays empty for scripts.
      process.stderr.write(`ok: ${run.workspaces.length} workspace${run.workspaces.length === 1 ? "" : "s"}, ${accounts} account${accounts === 1 ? "" : "s"}\n`);
      await settleShards({ project }, run, { record: false });
    });
}
