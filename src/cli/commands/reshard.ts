// `cerby-okta reshard`: after `shards:` in cerby-okta.yaml changed, move each
// account's Terraform state to the stack it now belongs to. See src/sync/reshard.ts.
import type { Command } from "commander";
import path from "node:path";
import { UsageError } from "../../errors.ts";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { decide, synthesize } from "../../pipeline/pipeline.ts";
import type { Adoption } from "../../stack/stack-data.ts";
import { mergeAdoption } from "../../sync/adopt.ts";
import { reshard } from "../../sync/reshard.ts";
import { addCalls, createCheckCalls, importCalls } from "../../domain/api-cost.ts";
import { DEFAULT_RATE_LIMIT } from "../../domain/model.ts";
import type { StackUnit } from "../../stack/shards.ts";
import { describeCost } from "../format-synth.ts";
import { selectStacks } from "../../sync/plan.ts";
import { readStatusRecords } from "../../sync/status.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { positiveInteger } from "../number-options.ts";
import { addTerraformOptions, adoptionFile, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type ReshardOptions = TerraformCommandOptions & WaitOption & { from?: number };

export function register(program: Command): void {
  addWaitOption(addTerraformOptions(
    program
      .command("reshard")
      .description(
        "after `shards:` in cerby-okta.yaml changed: move each account from the Terraform state of its old stack to its new one " +
          "(state rm there, import by ID here at the next plan). reshard itself sends no Okta request; the plan after it reads each moved account from Okta " +
          "(about 4 requests an account, 1 of them in /api/v1/apps, whose limit is 100 a minute: the estimate is printed before it starts). Run it where the last apply ran, then plan and apply",
      )
      .option("--from <n>", "the shard count the workspaces had (default: as recorded by their last apply here)", positiveInteger),
  )).action(async (options: ReshardOptions) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "reshard", options, signal);
    const settings = pipelineOptions(context);
    const current = await decide(context.workspacesDir, settings.shardCounts);
    const selected = new Set(selectStacks(current.desired, current.stacks, options.stack).map((stack) => stack.workspaceId));
    const records = await readStatusRecords(context.paths.stateDir);
    const oldCounts = new Map(settings.shardCounts);
    const moving: string[] = [];
    for (const workspaceId of selected) {
      const now = settings.shardCounts?.get(workspaceId) ?? 1;
      const before = options.from ?? recordedShardCount(workspaceId, records.filter((record) => record.workspaceId === workspaceId));
      if (before === now) {
        process.stdout.write(`${workspaceId}: already in ${now} shard${now === 1 ? "" : "s"}, nothing to move\n`);
        continue;
      }
      oldCounts.set(workspaceId, before);
      moving.push(workspaceId);
    }
    if (moving.length === 0) return;

    // The old stacks' folders, to reach their states through their backends.
    const old = await synthesize({ ...settings, shardCounts: oldCounts });
    const oldStacks = old.stacks.filter((stack) => moving.includes(stack.workspaceId)).map((stack) => stack.id);
    const newStacks = current.stacks.filter((stack) => moving.includes(stack.workspaceId));
    logProgress(reshardCost(old.stacks.filter((stack) => moving.includes(stack.workspaceId)), newStacks));
    const result = await reshard(oldStacks, newStacks, terraformFor(options, signal), context.paths, {
      writeImports: (imports) => writeImports(context.paths.stateDir, imports),
      log: logProgress,
    });
    // The new layout, with the imports just written.
    await synthesize(pipelineOptions(await commandContext(options)));
    for (const workspaceId of moving) {
      const moves = result.moves.filter((move) => newStacks.some((stack) => stack.id === move.to && stack.workspaceId === workspaceId));
      const into = new Set(moves.map((move) => move.to));
      process.stdout.write(
        `${workspaceId}: ${oldCounts.get(workspaceId)} -> ${settings.shardCounts?.get(workspaceId) ?? 1} shards; ` +
          `${moves.length} account${moves.length === 1 ? "" : "s"} moved into ${into.size} stack${into.size === 1 ? "" : "s"} (nothing in Okta changed)\n`,
      );
    }
    process.stdout.write("Next: `cerby-okta plan` shows the moved apps and groups as imports, nothing created; `cerby-okta apply` takes them in.\n");
  });
}

/**
 * What a reshard costs, said before it starts: reshard itself reads only
 * Terraform states (no Okta request), but the plan after it imports every
 * moved account, reading it from Okta by ID (importCalls).
 */
function reshardCost(oldStacks: readonly StackUnit[], newStacks: readonly StackUnit[]): string {
  const before = new Map(oldStacks.flatMap((stack) => stack.chiclets.map((chiclet) => [chiclet.accountId, stack.id] as const)));
  const lines: string[] = [];
  for (const workspaceId of [...new Set(newStacks.map((stack) => stack.workspaceId))]) {
    const moving = newStacks
      .filter((stack) => stack.workspaceId === workspaceId)
      .flatMap((stack) => stack.chiclets.filter((chiclet) => before.has(chiclet.accountId) && before.get(chiclet.accountId) !== stack.id));
    const accounts = newStacks.filter((stack) => stack.workspaceId === workspaceId).reduce((sum, stack) => sum + stack.chiclets.length, 0);
    // The imports, and the listing that finds imports of objects deleted since (at least the workspace's own apps and groups).
    const cost = addCalls(
      importCalls(moving.map((chiclet) => ({ app: true, accessGroup: true, groups: chiclet.groups.length, members: chiclet.users.length }))),
      moving.length > 0 ? createCheckCalls(accounts, accounts) : {},
    );
    const capacity = newStacks.find((stack) => stack.workspaceId === workspaceId)?.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity;
    lines.push(
      `${workspaceId}: about ${moving.length} account${moving.length === 1 ? "" : "s"} change stacks. reshard reads only Terraform states (no Okta request); ` +
        `the plan after it imports each moved account from Okta: ${describeCost(cost, capacity)}`,
    );
  }
  return lines.join("\n");
}

/** The shard count a workspace's last applies here were made with. */
function recordedShardCount(workspaceId: string, records: readonly { stack?: string; shards?: number }[]): number {
  const counts = new Set(records.map((record) => record.shards ?? (record.stack === undefined || record.stack === workspaceId ? 1 : undefined)));
  if (records.length === 0 || counts.has(undefined) || counts.size > 1) {
    throw new UsageError(
      `no record here of the shard count workspace ${workspaceId} was last applied with (${records.length === 0 ? "never applied with this --state-dir" : "records disagree"}): ` +
        "give it with --from N",
    );
  }
  return [...counts][0]!;
}

/** Adds each stack's imports to its adoption file (keeping any `adopt` wrote). */
async function writeImports(stateDir: string, imports: ReadonlyMap<string, Adoption>): Promise<void> {
  for (const [stack, adoption] of imports) {
    const file = adoptionFile(stateDir, stack);
    const merged = await mergeAdoption(file, adoption);
    await ensureFolder(path.dirname(file));
    await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
  }
}
