// `cerby-okta reshard`: after `shards:` in cerby-okta.yaml changed, move each
// account's Terraform state to the stack it now belongs to. See src/sync/reshard.ts.
import type { Command } from "commander";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { recordShardCounts } from "../../config/project-config.ts";
import { UsageError } from "../../errors.ts";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import type { Adoption } from "../../stack/stack-data.ts";
import { readReshardJournal, reshard, type ImportFiles, type ReshardJournal } from "../../sync/reshard.ts";
import { addCalls, createCheckCalls, importCalls } from "../../domain/api-cost.ts";
import { DEFAULT_RATE_LIMIT } from "../../domain/model.ts";
import type { StackUnit } from "../../stack/shards.ts";
import { describeCost } from "../format-synth.ts";
import { selectStacks } from "../../sync/plan.ts";
import { readStatusRecords } from "../../sync/status.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { positiveInteger } from "../number-options.ts";
import { addTerraformOptions, adoptionFile, commandContext, decideFor, logProgress, pipelineOptions, terraformFor, type CommandContext, type TerraformCommandOptions } from "../terraform-options.ts";

type ReshardOptions = TerraformCommandOptions & WaitOption & { from?: number; to?: number };

export function register(program: Command): void {
  addWaitOption(addTerraformOptions(
    program
      .command("reshard")
      .description(
        "after `shards:` in cerby-okta.yaml changed: move each account from the Terraform state of its old stack to its new one " +
          "(state rm there, import by ID here at the next plan), with what the old stacks were still to import. reshard itself sends no Okta request; " +
          "the plan after it reads each moved account from Okta (about 4 requests an account, 1 of them in /api/v1/apps, whose limit is 100 a minute: " +
          "the estimate is printed before it starts). Run it where the last apply ran, then plan and apply. Stopped midway, run it again: it finishes what is left",
      )
      .option("--from <n>", "the shard count the workspaces had (default: as the last reshard or apply here recorded)", positiveInteger)
      .option("--to <n>", "the new shard count of the one workspace named by --stack: written to `shards:` in cerby-okta.yaml first (what `plan` advises)", positiveInteger),
  )).action(async (options: ReshardOptions) => {
    const signal = interruptSignal();
    let context = await commandContext(options);
    await lockProject(context, "reshard", options, signal);
    if (options.to !== undefined) {
      await recordTarget(context, options);
      context = await commandContext(options); // with the new `shards:`
    }
    const settings = pipelineOptions(context);
    const current = await decideFor(context);
    const countNow = (workspaceId: string) => current.shardChoices.find((choice) => choice.workspaceId === workspaceId)?.count ?? 1;
    const selected = new Set(selectStacks(current.desired, current.stacks, options.stack).map((stack) => stack.workspaceId));
    const records = await readStatusRecords(context.paths.stateDir);
    const journal = await readReshardJournal(context.paths.stateDir);
    const oldCounts = new Map(settings.shardCounts);
    const moving: string[] = [];
    for (const workspaceId of selected) {
      const now = countNow(workspaceId);
      const before =
        options.from ??
        shardCountBefore(
          workspaceId,
          now,
          journal,
          records.filter((record) => record.workspaceId === workspaceId),
        );
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
    const oldStacks = old.stacks.filter((stack) => moving.includes(stack.workspaceId));
    const newStacks = current.stacks.filter((stack) => moving.includes(stack.workspaceId));
    logProgress(reshardCost(oldStacks, newStacks));
    const newCounts = new Map(moving.map((id) => [id, countNow(id)]));
    const result = await reshard({ workspaces: moving, from: oldCounts, to: newCounts }, oldStacks, newStacks, terraformFor(options, signal, context), context.paths, {
      imports: importFiles(context.paths.stateDir),
      log: logProgress,
    });
    // The new layout, with the imports just written.
    await synthesize(pipelineOptions(await commandContext(options)));
    for (const workspaceId of moving) {
      const moves = result.moves.filter((move) => newStacks.some((stack) => stack.id === move.to && stack.workspaceId === workspaceId));
      const into = new Set(moves.map((move) => move.to));
      const counts = `${oldCounts.get(workspaceId)} -> ${newCounts.get(workspaceId)} shards`;
      process.stdout.write(
        moves.length === 0
          ? `${workspaceId}: ${counts}; no account to move: the old stacks' states hold none that changes stack and nothing was waiting to be imported (nothing was applied in that layout)\n`
          : `${workspaceId}: ${counts}; ${moves.length} account${moves.length === 1 ? "" : "s"} moved into ${into.size} stack${into.size === 1 ? "" : "s"} (nothing in Okta changed)\n`,
      );
    }
    if (result.moves.length > 0) process.stdout.write("Next: `cerby-okta plan` shows the moved apps and groups as imports, nothing created; `cerby-okta apply` takes them in.\n");
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

/** `--to N`: the new count goes to `shards:` first, for the one workspace named. */
async function recordTarget(context: CommandContext, options: ReshardOptions): Promise<void> {
  if (options.to! > 999) throw new UsageError("--to: at most 999 shards");
  if (options.stack?.length !== 1) throw new UsageError("--to needs exactly one workspace, named by --stack <workspace id>");
  const current = await decideFor(context);
  const workspaceId = options.stack[0]!;
  if (!current.shardChoices.some((choice) => choice.workspaceId === workspaceId)) throw new UsageError(`--stack ${workspaceId}: no synced workspace has this ID (give the workspace's ID, not a shard's)`);
  const file = await recordShardCounts(context.project, new Map([[workspaceId, options.to!]]));
  logProgress(`${workspaceId}: ${options.to} shards, written to ${file} \`shards:\` (commit it)`);
}

/**
 * The shard count a workspace's states are laid out in: the one an unfinished
 * reshard moves from, else the one its last applies here were made with, else
 * the one the last reshard moved to.
 */
function shardCountBefore(workspaceId: string, now: number, journal: ReshardJournal, records: readonly { stack?: string; shards?: number }[]): number {
  const entry = journal.workspaces[workspaceId];
  if (entry?.state === "moving") {
    if (entry.to !== now) {
      throw new UsageError(
        `a reshard of ${workspaceId} from ${entry.from} to ${entry.to} shards stopped midway, and shards: now says ${now}: ` +
          `set it back to ${entry.to} and run reshard to finish that one first, then change it`,
      );
    }
    return entry.from;
  }
  const counts = new Set(records.map((record) => record.shards ?? (record.stack === undefined || record.stack === workspaceId ? 1 : undefined)));
  if (records.length > 0 && !counts.has(undefined) && counts.size === 1) return [...counts][0]!;
  if (records.length === 0 && entry !== undefined) return entry.to;
  throw new UsageError(
    `no record here of the shard count workspace ${workspaceId} was last applied with (${records.length === 0 ? "never applied with this --state-dir" : "records disagree"}): ` +
      "give it with --from N (if nothing of it was ever applied, there is nothing to move: plan)",
  );
}

/** The adoption files of stacks (`cerby-okta adopt` writes the same). */
function importFiles(stateDir: string): ImportFiles {
  return {
    async read(stack) {
      const file = adoptionFile(stateDir, stack);
      try {
        return JSON.parse(await readFile(file, "utf8")) as Adoption;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
      }
    },
    async write(stack, adoption) {
      const file = adoptionFile(stateDir, stack);
      if (Object.keys(adoption.apps).length === 0 && Object.keys(adoption.accessGroups).length === 0) {
        await rm(file, { force: true });
        return;
      }
      await ensureFolder(path.dirname(file));
      await writeFileAtomic(file, `${JSON.stringify(adoption, null, 2)}\n`);
    },
  };
}
