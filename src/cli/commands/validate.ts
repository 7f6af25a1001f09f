import type { Command } from "commander";
import { warningLines } from "../../domain/desired-state.ts";
import { decideProject, settleShards } from "../settle-shards.ts";
import { workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  program
    .command("validate")
    .description(
      "check the workspace files; print every problem with file, line and field, and warn of rejected accounts (R2); exit 1 on any problem. " +
        "Also says when a workspace's shard count is far from the advised one",
    )
    .addOption(workspacesOption())
    .action(async (options: { workspaces?: string }) => {
      const { project, run } = await decideProject(options.workspaces);
      const { desired, workspaces } = run;
      const accounts = workspaces.reduce((sum, workspace) => sum + workspace.accounts.length, 0);
      // Messages, not data: stdout stays empty for scripts.
      for (const line of warningLines(desired)) process.stderr.write(`${line}\n`);
      const rejected = desired.workspaces.reduce((sum, workspace) => sum + workspace.rejected.length, 0);
      process.stderr.write(
        `ok: ${workspaces.length} workspace${workspaces.length === 1 ? "" : "s"}, ${accounts} account${accounts === 1 ? "" : "s"}` +
          (rejected > 0 ? ` (${rejected} extension${rejected === 1 ? "" : "s"} rejected: not synced, see the warnings)` : "") +
          "\n",
      );
      await settleShards({ project }, run, { record: false });
    });
}
