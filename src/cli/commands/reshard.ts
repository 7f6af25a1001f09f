// `cerby-okta reshard`: after `shards:` in cerby-okta.yaml changed, move each
// account's Terraform state to the stack it now belongs to. See src/sync/reshard.ts.
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { recordShardCounts } from "../../config/project-config.ts";
import { UsageError } from "../../errors.ts";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { synthesize } from "../../pipeline/pipeline.ts";
import { emptyMap, type Adoption } from "../../stack/stack-data.ts";
import { reshard } from "../../sync/reshard.ts";
import { selectStacks } from "../../sync/plan.ts";
import { readStatusRecords } from "../../sync/status.ts";
import { interruptSignal } from "../interrupt.ts";
import { positiveInteger } from "../number-options.ts";
import { addTerraformOptions, adoptionFile, commandContext, decideFor, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

type ReshardOptions = TerraformCommandOptions & { from?: number; to?: number };

export function register(program: Command): void {
  addTerraformOptions(
    program
      .command("reshard")
      .description(
        "after `shards:` in cerby-okta.yaml changed: move each account from the Terraform state of its old stack to its new one " +
          "(state rm there, import by ID here at the next plan). Okta is only read; run it where the last apply ran, then plan and apply",
      )
      .option("--from <n>", "the shard count the workspaces had (default: as recorded by their last apply here)", positiveInteger)
      .option("--to <n>", "the new shard count of the one workspace named by --stack: written to `shards:` in cerby-okta.yaml first (what `plan` advises)", positiveInteger),
  ).action(async (options: ReshardOptions) => {
    const signal = interruptSignal();
    if (options.to !== undefined) await recordTarget(options);
    const context = await commandContext(options);
    const settings = pipelineOptions(context);
    const current = await decideFor(context);
    const countNow = (workspaceId: string) => current.shardChoices.find((choice) => choice.workspaceId === workspaceId)?.count ?? 1;
    const selected = new Set(selectStacks(current.desired, current.stacks, options.stack).map((stack) => stack.workspaceId));
    const records = await readStatusRecords(context.paths.stateDir);
    const oldCounts = new Map(settings.shardCounts);
    const moving: string[] = [];
    for (const workspaceId of selected) {
      const now = countNow(workspaceId);
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
        `${workspaceId}: ${oldCounts.get(workspaceId)} -> ${countNow(workspaceId)} shards; ` +
          `${moves.length} account${moves.length === 1 ? "" : "s"} moved into ${into.size} stack${into.size === 1 ? "" : "s"} (nothing in Okta changed)\n`,
      );
    }
    process.stdout.write("Next: `cerby-okta plan` shows the moved apps and groups as imports, nothing created; `cerby-okta apply` takes them in.\n");
  });
}

/** `--to N`: the new count goes to `shards:` first, for the one workspace named. */
async function recordTarget(options: ReshardOptions): Promise<void> {
  if (options.to! > 999) throw new UsageError("--to: at most 999 shards");
  if (options.stack?.length !== 1) throw new UsageError("--to needs exactly one workspace, named by --stack <workspace id>");
  const context = await commandContext(options);
  const current = await decideFor(context);
  const workspaceId = options.stack[0]!;
  if (!current.shardChoices.some((choice) => choice.workspaceId === workspaceId)) throw new UsageError(`--stack ${workspaceId}: no synced workspace has this ID (give the workspace's ID, not a shard's)`);
  const file = await recordShardCounts(context.project, new Map([[workspaceId, options.to!]]));
  logProgress(`${workspaceId}: ${options.to} shards, written to ${file} \`shards:\` (commit it)`);
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
    let existing: Adoption = { apps: emptyMap(), accessGroups: emptyMap() };
    try {
      existing = JSON.parse(await readFile(file, "utf8")) as Adoption;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    const merged: Adoption = {
      apps: Object.assign(emptyMap<string>(), existing.apps, adoption.apps),
      accessGroups: Object.assign(emptyMap<string>(), existing.accessGroups, adoption.accessGroups),
    };
    await ensureFolder(path.dirname(file));
    await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
  }
}
