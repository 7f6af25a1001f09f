import type { Command } from "commander";

import { readAllStatus } from "../../sync/status.ts";
import { formatTable } from "../format-preview.ts";

import { commandContext } from "../terraform-options.ts";
import { compareText, printable } from "../../text/printable.ts";

export function register(program: Command): void {
  program
    .command("status")
    .description("per extended account: when it was extended, by whom, and when it last synced successfully (recorded by apply)")
    .option("--state-dir <dir>", "where sync status is kept (default: .cerby-okta in the project folder)")
    .option("--json", "print the status records as JSON")
    .action(async (options: { stateDir?: string; json?: boolean }) => {
      const { paths } = await commandContext(options);
      const records = await readAllStatus(paths.stateDir);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ version: 1, workspaces: records }, null, 2)}\n`);
        return;
      }
      if (records.length === 0) {
        process.stdout.write(`no sync recorded yet in ${paths.stateDir}: run \`cerby-okta plan\` then \`cerby-okta apply\`\n`);
        return;
      }
      for (const record of records) {
        const rows = Object.entries(record.accounts)
          .sort(([a], [b]) => compareText(a, b))
          .map(([id, account]) => [id, printable(account.label, 50), account.extendedAt, account.extendedBy, account.lastSyncedAt]);
        process.stdout.write(`Workspace ${record.workspaceId}\n${formatTable(["ACCOUNT", "CHICLET", "EXTENDED AT", "EXTENDED BY", "LAST SYNCED"], rows)}\n`);
      }
    });
}
