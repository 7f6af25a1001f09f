import type { Command } from "commander";

import { synthesize } from "../../pipeline/pipeline.ts";
import { selectStacks } from "../../sync/plan.ts";
import { recordFromStates } from "../../sync/state-status.ts";
import { readAllStatus } from "../../sync/status.ts";
import { formatTable } from "../format-preview.ts";
import { interruptSignal } from "../interrupt.ts";
import { addOutOption, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { compareText, printable } from "../../text/printable.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { workspacesOption } from "../workspaces-option.ts";

type StatusOptions = TerraformCommandOptions & WaitOption & { json?: boolean; fromState?: boolean };

export function register(program: Command): void {
  addWaitOption(addOutOption(
    program
      .command("status")
      .description(
        "per extended account: when it was extended, by whom, and when it last synced successfully (recorded by apply; " +
          "after `cdktf deploy`, --from-state records it from the Terraform state first)",
      )
      .addOption(workspacesOption()),
  ), "with --from-state: when another cerby-okta command holds the project lock, wait for it to finish instead of refusing at once; with SECONDS, at most that long")
    .option("--state-dir <dir>", "where sync status is kept (default: .cerby-okta in the project folder)")
    .option("--stack <id...>", "with --from-state: only these workspaces, or stacks")
    .option("--terraform-binary <path>", "with --from-state: Terraform or OpenTofu binary (default: $TERRAFORM_BINARY_NAME or terraform)")
    .option("--verbose", "with --from-state: stream Terraform's own output to stderr")
    .option("--from-state", "first read each stack's Terraform state (no Okta request) and record as synced now the accounts a deploy changed")
    .option("--json", "print the status records as JSON")
    .action(async (options: StatusOptions) => {
      const context = await commandContext(options);
      const { paths } = context;
      if (options.fromState) {
        const signal = interruptSignal();
        await lockProject(context, "status --from-state", options, signal);
        const run = await synthesize(pipelineOptions(context));
        const stacks = selectStacks(run.desired, run.stacks, options.stack);
        const readings = await recordFromStates(stacks, terraformFor(options, signal), paths, new Date(), logProgress);
        for (const reading of readings) {
          logProgress(
            `${reading.stack}: ${reading.changed ? "state changed since last recorded" : "state unchanged"}; ` +
              `${reading.inStep} account${reading.inStep === 1 ? "" : "s"} in step${reading.waiting > 0 ? `, ${reading.waiting} not deployed yet` : ""}`,
          );
        }
      }
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
        if (record.removedAt !== undefined) {
          process.stdout.write(`Workspace ${record.workspaceId}: removed from Okta at ${record.removedAt} (remove-workspace); its apps and access groups are gone\n\n`);
          continue;
        }
        const rows = Object.entries(record.accounts)
          .sort(([a], [b]) => compareText(a, b))
          .map(([id, account]) => [id, printable(account.label, 50), account.extendedAt, account.extendedBy, account.lastSyncedAt]);
        process.stdout.write(`Workspace ${record.workspaceId}\n${formatTable(["ACCOUNT", "CHICLET", "EXTENDED AT", "EXTENDED BY", "LAST SYNCED"], rows)}\n`);
      }
    });
}
