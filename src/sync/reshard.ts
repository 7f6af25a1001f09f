// Changing a workspace's shard count (cerby-okta.yaml `shards:`) moves
// accounts between stacks, so between Terraform states, without touching
// Okta. Terraform's `removed` blocks cannot name one instance of a
// `for_each` resource, so the move is done with what can:
//   1. read each old stack's state (no Okta request): the app and access
//      group each account owns;
//   2. write, for each new stack, the objects to import (the adoption files
//      `adopt` writes), so that its next plan imports them, by ID;
//   3. `terraform state rm` the moved accounts from the old stacks.
// If anything stops after 2, the import files stay and the next plan still
// imports: nothing is ever created twice. Reshard sends Okta no request; the
// plan after it reads each moved account by ID (its imports: importCalls).
// Objects an old stack was still to import (its adoption file: a reshard or
// an `adopt` not applied yet) move the same way, so resharding back before
// any apply loses nothing. A journal in the state folder (`reshard.json`)
// keeps, per workspace, the counts it moves between and what moved: `plan`
// refuses while a reshard is unfinished, and running `reshard` again
// finishes it (idempotent: every step is a set or a removal).
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { ensureFolder } from "../files/ensure-folder.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { ACCESS_GROUP, APP, instanceAddress, MANAGED_RESOURCES, stateInstances } from "../stack/names.ts";
import { emptyMap, type Adoption } from "../stack/stack-data.ts";
import { shardCollision, shardStackId, type StackUnit } from "../stack/shards.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { Log } from "./plan.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import { readStatusRecords, statusFile, type WorkspaceStatus } from "./status.ts";

export interface Move {
  readonly accountId: string;
  readonly from: string;
  readonly to: string;
}

export interface ReshardResult {
  /** The new stacks' imports, by stack ID. */
  readonly imports: ReadonlyMap<string, Adoption>;
  /** Every move of the reshard, an earlier stopped run's included. */
  readonly moves: readonly Move[];
}

/** Where each workspace's reshard stands, by workspace ID. */
export interface ReshardJournal {
  version: 1;
  workspaces: Record<string, { from: number; to: number; state: "moving" | "done"; moves: Move[]; at: string }>;
}

export const reshardJournalFile = (stateDir: string) => path.join(stateDir, "reshard.json");

export async function readReshardJournal(stateDir: string): Promise<ReshardJournal> {
  let text: string;
  try {
    text = await readFile(reshardJournalFile(stateDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, workspaces: Object.create(null) };
    throw new UsageError(`cannot read ${reshardJournalFile(stateDir)}: ${(error as Error).message}`);
  }
  const journal = (() => {
    try {
      return JSON.parse(text) as ReshardJournal;
    } catch {
      return undefined;
    }
  })();
  if (journal?.version !== 1 || typeof journal.workspaces !== "object" || journal.workspaces === null) {
    throw new UsageError(`${reshardJournalFile(stateDir)} (written by cerby-okta reshard) is not a reshard journal: restore it, or delete it if no reshard is under way`);
  }
  return { version: 1, workspaces: Object.assign(Object.create(null), journal.workspaces) };
}

async function writeReshardJournal(stateDir: string, journal: ReshardJournal): Promise<void> {
  await ensureFolder(stateDir);
  await writeFileAtomic(reshardJournalFile(stateDir), `${JSON.stringify(journal, null, 2)}\n`);
}

/** The adoption files (objects to import at the next plan) of stacks, read and written by the caller. */
export interface ImportFiles {
  read(stack: string): Promise<Adoption | undefined>;
  /** Writes a stack's imports; an empty adoption removes its file. */
  write(stack: string, adoption: Adoption): Promise<void>;
}

interface Held {
  appId?: string;
  groupId?: string;
  /** The account's instance addresses in the state. */
  readonly addresses: string[];
}

/** What each account's instances are in a state, with its app's and access group's Okta IDs. */
export function heldByAccount(state: unknown): Map<string, Held> {
  const held = new Map<string, Held>();
  for (const kind of MANAGED_RESOURCES) {
    for (const { key: accountId, attributes } of stateInstances(state, kind)) {
      const entry = held.get(accountId) ?? { addresses: [] };
      entry.addresses.push(instanceAddress(kind, accountId));
      if (typeof attributes.id === "string" && kind === APP) entry.appId = attributes.id;
      if (typeof attributes.id === "string" && kind === ACCESS_GROUP) entry.groupId = attributes.id;
      held.set(accountId, entry);
    }
  }
  return held;
}

/**
 * Stacks a workspace had, by the status records of its applies, that its
 * current shard count does not have: their accounts must be moved (`reshard`)
 * before a plan, or the new stacks would find them missing and create them.
 */
export async function stacksLeftBehind(stateDir: string, stacks: readonly StackUnit[], records?: readonly WorkspaceStatus[]): Promise<Map<string, string[]>> {
  // Every stack ID of each workspace's current layout, whichever of them were given.
  const layout = new Map<string, Set<string>>();
  for (const stack of stacks) {
    const count = stack.shard?.count ?? 1;
    layout.set(stack.workspaceId, new Set(count > 1 ? Array.from({ length: count }, (_, index) => shardStackId(stack.workspaceId, index)) : [stack.workspaceId]));
  }
  const left = new Map<string, string[]>();
  for (const record of records ?? (await readStatusRecords(stateDir))) {
    const stack = record.stack ?? record.workspaceId;
    const current = layout.get(record.workspaceId);
    if (!current || current.has(stack)) continue;
    left.set(record.workspaceId, [...(left.get(record.workspaceId) ?? []), stack]);
  }
  return left;
}

/** Refuses to plan a workspace whose shard count changed until `reshard` moved its accounts, or while a reshard is unfinished. */
export async function refuseUnmovedShards(stateDir: string, stacks: readonly StackUnit[]): Promise<void> {
  const journal = await readReshardJournal(stateDir);
  const unfinished = [...new Set(stacks.map((stack) => stack.workspaceId))].filter((id) => journal.workspaces[id]?.state === "moving");
  if (unfinished.length > 0) {
    throw new UsageError(
      `a reshard stopped midway: ${unfinished.map((id) => `${id} (${journal.workspaces[id]!.from} -> ${journal.workspaces[id]!.to} shards)`).join(", ")}. ` +
        `Some accounts are between stacks; planning now could import one app into two states. Run \`cerby-okta reshard\` to finish it (it moves only what is left), then plan.`,
    );
  }
  // One read of the records for both checks: at 128 shards each read is 128 files.
  const records = await readStatusRecords(stateDir);
  await refuseTakenShardIds(stateDir, stacks, records);
  const left = await stacksLeftBehind(stateDir, stacks, records);
  if (left.size === 0) return;
  const lines = [...left].map(([workspace, old]) => `  ${workspace}: applied as ${old.join(", ")}; now ${shardCount(stacks, workspace)} shard(s)`);
  throw new UsageError(
    `the shard count of ${left.size === 1 ? "a workspace" : `${left.size} workspaces`} changed since its last apply:\n${lines.join("\n")}\n` +
      "Its accounts are still in the old stacks' states; planning the new stacks now would create their apps again. " +
      "Run `cerby-okta reshard` to move them (it sends Okta no request; the plan after it reads each moved account once), then plan.",
  );
}

/**
 * A shard whose stack ID is a workspace applied here before (its folder gone
 * since, so the pipeline cannot see it) would plan against that workspace's state.
 */
async function refuseTakenShardIds(stateDir: string, stacks: readonly StackUnit[], records?: readonly WorkspaceStatus[]): Promise<void> {
  const shards = new Map(stacks.filter((stack) => stack.shard).map((stack) => [stack.id, stack] as const));
  if (shards.size === 0) return;
  for (const record of records ?? (await readStatusRecords(stateDir))) {
    const shard = shards.get(record.stack ?? record.workspaceId);
    if (shard && record.workspaceId !== shard.workspaceId) {
      throw new UsageError(shardCollision(shard.workspaceId, shard.shard!.count, shard.id, `is the stack of workspace ${record.workspaceId}, applied here before (${statusFile(stateDir, shard.id)})`));
    }
  }
}

function shardCount(stacks: readonly StackUnit[], workspaceId: string): number {
  return stacks.find((stack) => stack.workspaceId === workspaceId)?.shard?.count ?? 1;
}

/**
 * Moves the accounts of `oldStacks` (folders already synthesized with their
 * backend) into the stacks of `newStacks` they now belong to: those in an old
 * state, and those an old stack was still to import. `from` and `to` are the
 * workspaces' shard counts, for the journal. The new imports are written, and
 * the journal says so, before any state is touched.
 */
export async function reshard(
  change: { readonly workspaces: readonly string[]; readonly from: ReadonlyMap<string, number>; readonly to: ReadonlyMap<string, number> },
  oldStacks: readonly StackUnit[],
  newStacks: readonly StackUnit[],
  terraform: Terraform,
  paths: SyncPaths,
  options: { imports: ImportFiles; log: Log },
): Promise<ReshardResult> {
  await refuseTakenShardIds(paths.stateDir, newStacks);
  const home = new Map(newStacks.flatMap((stack) => stack.chiclets.map((chiclet) => [chiclet.accountId, stack.id] as const)));
  const newIds = new Set(newStacks.map((stack) => stack.id));
  const imports = new Map<string, { apps: Record<string, string>; accessGroups: Record<string, string> }>();
  const moves: Move[] = [];
  const leaving = new Map<string, string[]>();
  const addImport = (to: string, accountId: string, appId: string | undefined, groupId: string | undefined) => {
    const target = imports.get(to) ?? { apps: emptyMap<string>(), accessGroups: emptyMap<string>() };
    if (appId) target.apps[accountId] = appId;
    if (groupId) target.accessGroups[accountId] = groupId;
    imports.set(to, target);
  };
  const inStates = new Set<string>();
  for (const { id: from } of oldStacks) {
    const dir = stackDir(paths, from);
    options.log(`${from}: reading the stack's state (no Okta request)`);
    await terraform.init(dir);
    const held = heldByAccount(await terraform.pullState(dir));
    for (const [accountId, objects] of held) {
      const to = home.get(accountId);
      if (to === undefined && !newIds.has(from)) {
        // Its stack is going away: nothing would ever remove its app from Okta.
        throw new UsageError(
          `account ${accountId} is in the state of stack ${from} but no longer in the workspace, and ${from} is not a stack of the new shard count: ` +
            "its app would stay in Okta with nothing managing it. Put `shards:` back as it was, plan and apply (which removes it), then reshard. Nothing was changed.",
        );
      }
      if (inStates.has(accountId)) throw new UsageError(`account ${accountId} is in the states of two stacks (${from} and another): resolve by hand before resharding`);
      inStates.add(accountId);
      // An account no longer in the workspace, in a stack that stays: its next plan removes it.
      if (to === undefined || to === from) continue;
      addImport(to, accountId, objects.appId, objects.groupId);
      moves.push({ accountId, from, to });
      leaving.set(from, [...(leaving.get(from) ?? []), ...objects.addresses]);
    }
  }
  // What the old stacks were still to import moves with its account; an account no longer in the workspace is dropped (nothing manages it yet).
  const pendingLeft = new Map<string, Adoption>();
  for (const { id: from } of oldStacks) {
    const pending = await options.imports.read(from);
    if (!pending) continue;
    const kept = { apps: emptyMap<string>(), accessGroups: emptyMap<string>() };
    for (const accountId of new Set([...Object.keys(pending.apps), ...Object.keys(pending.accessGroups)])) {
      const to = home.get(accountId);
      if (to === from) {
        if (pending.apps[accountId] !== undefined) kept.apps[accountId] = pending.apps[accountId]!;
        if (pending.accessGroups[accountId] !== undefined) kept.accessGroups[accountId] = pending.accessGroups[accountId]!;
        continue;
      }
      if (to !== undefined && !inStates.has(accountId)) {
        addImport(to, accountId, pending.apps[accountId], pending.accessGroups[accountId]);
        moves.push({ accountId, from, to });
      }
    }
    pendingLeft.set(from, kept);
  }

  // Written before anything moves: a stop from here on is finished by running reshard again, and plan waits for it.
  const journal = await readReshardJournal(paths.stateDir);
  const earlier = new Map<string, Move>();
  for (const workspace of change.workspaces) for (const move of journal.workspaces[workspace]?.state === "moving" ? journal.workspaces[workspace]!.moves : []) earlier.set(move.accountId, move);
  for (const move of moves) earlier.delete(move.accountId);
  const allMoves = [...earlier.values(), ...moves];
  const stamp = new Date().toISOString();
  for (const workspace of change.workspaces) {
    const mine = allMoves.filter((move) => newStacks.some((stack) => stack.id === move.to && stack.workspaceId === workspace));
    journal.workspaces[workspace] = { from: change.from.get(workspace) ?? 1, to: change.to.get(workspace) ?? 1, state: "moving", moves: mine, at: stamp };
  }
  await writeReshardJournal(paths.stateDir, journal);

  for (const [stack, adoption] of imports) {
    const existing = await options.imports.read(stack);
    await options.imports.write(stack, {
      apps: Object.assign(emptyMap<string>(), pendingLeft.get(stack)?.apps ?? existing?.apps, adoption.apps),
      accessGroups: Object.assign(emptyMap<string>(), pendingLeft.get(stack)?.accessGroups ?? existing?.accessGroups, adoption.accessGroups),
    });
  }
  for (const [stack, kept] of pendingLeft) if (!imports.has(stack)) await options.imports.write(stack, kept);
  for (const { id: from } of oldStacks) {
    const addresses = leaving.get(from) ?? [];
    const count = moves.filter((move) => move.from === from).length;
    if (addresses.length > 0) {
      options.log(`${from}: ${count} account${count === 1 ? "" : "s"} leave this stack's state (nothing in Okta changes)`);
      await terraform.forget(stackDir(paths, from), addresses);
    }
    // Its status record described accounts it no longer holds, or a stack that is gone.
    if (count > 0 || !newIds.has(from)) await rm(statusFile(paths.stateDir, from), { force: true });
  }
  for (const workspace of change.workspaces) journal.workspaces[workspace]!.state = "done";
  await writeReshardJournal(paths.stateDir, journal);
  return { imports, moves: allMoves };
}
