// `cerby-okta reshard`: after `shards:` in cerby-okta.yaml changed, move each
// account's Terraform state to the stack it now belongs to. See src/sync/reshard.ts.
import type { Command } from "commander";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../errors.ts";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { decide, synthesize } from "../../pipeline/pipeline.ts";
import type { Adoption } from "../../stack/stack-data.ts";
import { readReshardJournal, reshard, type ImportFiles, type ReshardJournal } from "../../sync/reshard.ts";
import { selectStacks } from "../../sync/plan.ts";
import { readStatusRecords } from "../../sync/status.ts";
import { interruptSignal } from "../interrupt.ts";
import { positiveInteger } from "../number-options.ts";
import { addTerraformOptions, adoptionFile, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type ReshardOptions = TerraformCommandOptions & { from?: number };

export function register(program: Command): void {
  addTerraformOptions(
    program
      .command("reshard")
      .description(
        "after `shards:` in cerby-okta.yaml changed: move each account from the Terraform state of its old stack to its new one " +
          "(state rm there, import by ID here at the next plan), with what the old stacks were still to import. Okta is only read; " +
          "run it where the last apply ran, then plan and apply. Stopped midway, run it again: it finishes what is left",
      )
      .option("--from <n>", "the shard count the workspaces had (default: as the last reshard or apply here recorded)", positiveInteger),
  ).action(async (options: ReshardOptions) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    const settings = pipelineOptions(context);
    const current = await decide(context.workspacesDir, settings.shardCounts);
    const selected = new Set(selectStacks(current.desired, current.stacks, options.stack).map((stack) => stack.workspaceId));
    const records = await readStatusRecords(context.paths.stateDir);
    const journal = await readReshardJournal(context.paths.stateDir);
    const oldCounts = new Map(settings.shardCounts);
    const moving: string[] = [];
    for (const workspaceId of selected) {
      const now = settings.shardCounts?.get(workspaceId) ?? 1;
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
    const newCounts = new Map(moving.map((id) => [id, settings.shardCounts?.get(id) ?? 1]));
    const result = await reshard({ workspaces: moving, from: oldCounts, to: newCounts }, oldStacks, newStacks, terraformFor(options, signal), context.paths, {
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
