import type { Command } from "commander";

import { synthesize } from "../../pipeline/pipeline.ts";
import { selectStacks } from "../../sync/plan.ts";
import { statusFromStates, type StackReport } from "../../sync/status-report.ts";
import { readAllStatus } from "../../sync/status.ts";
import { formatTable } from "../format-preview.ts";
import { interruptSignal } from "../interrupt.ts";
import { emitJson, writeHuman, type JsonOutputOptions } from "../json-output.ts";
import { addOutOption, commandContext, logProgress, pipelineOptions, TERRAFORM_BINARY_HELP, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { compareText, printable } from "../../text/printable.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { workspacesOption } from "../workspaces-option.ts";

type StatusOptions = TerraformCommandOptions & WaitOption & JsonOutputOptions & { fromState?: boolean };

export function register(program: Command): void {
  addWaitOption(addOutOption(
    program
      .command("status")
      .description(
        "per extended account: when it was extended, by whom, and when it last synced successfully (R9), read from each stack's Terraform state, " +
          "where every apply records it (cerby-okta apply, watch --apply and cdktf deploy alike): the same on every machine sharing the backend",
      )
      .addOption(workspacesOption()),
  ), "when another cerby-okta command holds the project lock (status writes the stack folders it reads), wait for it instead of refusing at once; with SECONDS, at most that long")
    .option("--state-dir <dir>", "where this machine's records of applies made before they moved into the state are kept (default: .cerby-okta in the project folder)")
    .option("--stack <id...>", "only these workspaces, or stacks")
    .option("--terraform-binary <path>", TERRAFORM_BINARY_HELP)
    .option("--verbose", "stream Terraform's own output to stderr")
    .option("--from-state", "no longer needed (kept so that scripts still run): every apply, cdktf deploy's too, records its times in the state")
    .option("--json", "print the status as JSON on stdout ({ version, workspaces: [{ workspaceId, accounts: { <id>: { label, extendedBy, extendedAt, lastSyncedAt? } } }], stacks: [...] }); what a person reads goes to stderr")
    .option("--json-file <file>", "also write that JSON to FILE (written whole, or not at all)")
    .action(async (options: StatusOptions) => {
      if (options.fromState) logProgress("status: --from-state is no longer needed: every apply, cdktf deploy's too, records its times in the state, which status reads");
      const context = await commandContext(options);
      const signal = interruptSignal();
      // It writes the stack folders, as synth does: never under a running plan or apply.
      await lockProject(context, "status", options, signal, { ifStateDirExists: true });
      const run = await synthesize(pipelineOptions(context));
      const stacks = selectStacks(run.desired, run.stacks, options.stack);
      const report = await statusFromStates(stacks, context.paths, terraformFor(options, signal, context));
      const inState = report.workspaces.map(({ workspaceId, accounts }) => ({ workspaceId, accounts: Object.fromEntries(Object.entries(accounts).sort(([a], [b]) => compareText(a, b))) }));
      // Workspaces taken out of Okta on purpose (remove-workspace) have no stack left: their record says when.
      const removed = (await readAllStatus(context.paths.stateDir))
        .filter((record) => record.removedAt !== undefined && !inState.some((workspace) => workspace.workspaceId === record.workspaceId))
        .map(({ workspaceId, removedAt }) => ({ workspaceId, accounts: {}, removedAt }));
      const workspaces: { workspaceId: string; accounts: (typeof inState)[number]["accounts"]; removedAt?: string }[] = [...inState, ...removed].sort((a, b) => compareText(a.workspaceId, b.workspaceId));
      await emitJson(options, { version: 1, workspaces, stacks: report.stacks });
      for (const stack of report.stacks) logProgress(describeStack(stack));
      if (workspaces.length === 0) {
        writeHuman(options, "no synced workspace (Extended account access is off, or no workspace folder)\n");
        return;
      }
      for (const { workspaceId, accounts, removedAt } of workspaces) {
        if (removedAt !== undefined) {
          writeHuman(options, `Workspace ${printable(workspaceId)}: removed from Okta at ${removedAt} (remove-workspace); its apps and access groups are gone\n\n`);
          continue;
        }
        const rows = Object.entries(accounts).map(([id, account]) => [
          printable(id),
          printable(account.label, 50),
          account.extendedAt,
          printable(account.extendedBy),
          account.lastSyncedAt ?? "never",
        ]);
        writeHuman(options, `Workspace ${printable(workspaceId)}\n${formatTable(["ACCOUNT", "CHICLET", "EXTENDED AT", "EXTENDED BY", "LAST SYNCED"], rows)}\n`);
      }
    });
}

function describeStack(stack: StackReport): string {
  const local = stack.fromLocalRecord ? "; times from this machine's records (.cerby-okta/status), until its next apply records them in the state" : "";
  if (stack.state === "applied") return `${stack.stack}: in step with its files, as its last apply recorded in the state${local}`;
  if (stack.state === "unreadable") return `${stack.stack}: its state cannot be read: ${stack.detail}`;
  return `${stack.stack}: not in step with its files (${stack.detail}): \`cerby-okta plan\` plans it${local}`;
}
