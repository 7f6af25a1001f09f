// `cerby-okta remove-workspace <workspace id>`: takes a workspace out of Okta
// on purpose (R1 keeps its apps when its switch goes off). Plans the removal
// of every app and access group its stacks hold, shows who loses what, and
// applies only with --apply and a confirmation. See docs/operations.md.
import type { Command } from "commander";
import { createInterface } from "node:readline/promises";
import { UsageError } from "../../errors.ts";
import { decide } from "../../pipeline/pipeline.ts";
import { stackUnits } from "../../stack/shards.ts";
import { applyRemoval, discardRemoval, planRemoval } from "../../sync/remove-workspace.ts";
import { formatPlanSummary } from "../format-plan.ts";
import { interruptSignal } from "../interrupt.ts";
import { addOktaUrlOption, credentialCheck } from "../okta-options.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { addTerraformOptions, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type RemoveOptions = TerraformCommandOptions & WaitOption & { apply?: boolean; yes?: boolean; oktaUrl?: string };

export function register(program: Command): void {
  addWaitOption(addOktaUrlOption(
    addTerraformOptions(
      program
        .command("remove-workspace")
        .argument("<workspace-id>", "the workspace to take out of Okta (its switch must be off)")
        .description(
          "plan the removal from Okta of every app and access group a workspace's stacks (all shards) hold, and show who loses which chiclet; " +
            "with --apply, remove them once confirmed (type the workspace ID, or --yes). Exit 0 nothing to remove or removed, 2 removal planned, 1 error",
        )
        .option("--apply", "remove them, after a confirmation")
        .option("--yes", "with --apply: confirm without asking (CI)"),
    ),
  )).action(async (workspaceId: string, options: RemoveOptions) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "remove-workspace", options, signal);
    const settings = pipelineOptions(context);
    const { desired } = await decide(settings.workspacesDir, settings.shardCounts);
    const workspace = desired.workspaces.find((candidate) => candidate.id === workspaceId);
    if (!workspace) {
      throw new UsageError(
        `no workspace ${JSON.stringify(workspaceId)} in ${settings.workspacesDir} (workspaces: ${desired.workspaces.map((candidate) => candidate.id).join(", ") || "none"}); ` +
          `keep a removed workspace's folder, switched off, until remove-workspace has run: its Okta org is read from it`,
      );
    }
    if (workspace.synced) {
      throw new UsageError(
        `${workspaceId}: Extended account access is still on, so the next plan would create every app again. ` +
          `Turn it off first (extendedAccountAccess: false in its workspace file), then run remove-workspace ${workspaceId} again`,
      );
    }
    // Its stacks, as the last plan had them, without chiclets: what their states hold is all to go.
    const units = stackUnits([{ ...workspace, synced: true, chiclets: [], people: [] }], settings.shardCounts);
    const { StackSynthesizer } = await import("../../stack/synthesizer.ts");
    await new StackSynthesizer({ outDir: settings.outDir, stackOptions: settings.stackOptions, protectedPaths: settings.protectedPaths }).write(units, { prune: false });
    await credentialCheck(options, process.env, options.apply ? "apply" : "read", settings.stackOptions?.oktaProviderVersion)(units);
    const terraform = terraformFor(options, signal, context);
    const plans = await planRemoval(workspace, units.map((unit) => unit.id), terraform, context.paths, logProgress);
    process.stdout.write(formatPlanSummary(plans));
    const changes = plans.some((plan) => plan.report.hasChanges);
    if (!changes) {
      await discardRemoval(plans);
      process.stdout.write(`${workspaceId}: nothing of it is in Okta; nothing to remove\n`);
      return;
    }
    if (!options.apply) {
      await discardRemoval(plans);
      process.stdout.write(`nothing was changed: to remove these from Okta, run \`cerby-okta remove-workspace ${workspaceId} --apply\`\n`);
      process.exitCode = 2;
      return;
    }
    if (!options.yes && !(await confirmed(workspaceId))) {
      await discardRemoval(plans);
      throw new UsageError(`not confirmed: nothing was changed (type ${workspaceId} exactly, or pass --yes)`);
    }
    await applyRemoval(plans, terraform, context.paths, logProgress);
    process.stdout.write(`${workspaceId}: removed from Okta (${plans.map((plan) => plan.stack).join(", ")}); status shows it as removed\n`);
  });
}

/** Asks at the terminal for the workspace ID; without a terminal (CI) there is no asking: --yes is needed. */
async function confirmed(workspaceId: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError(`remove-workspace --apply asks to type the workspace ID, and there is no terminal to ask at: pass --yes to confirm (CI)`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`Type ${workspaceId} to remove its apps and access groups from Okta: `)).trim() === workspaceId;
  } finally {
    prompt.close();
  }
}
