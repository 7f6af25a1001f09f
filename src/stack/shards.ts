// Large workspaces are split into shards: each its own Terraform stack and
// state, so that a plan or an apply handles a few hundred accounts, whatever
// the size of the workspace (Terraform's cost grows faster than the number of
// instances in one state). An account's shard is a hash of its ID modulo the
// workspace's shard count: stable as other accounts come and go. Labels are
// numbered before the split, across the whole Okta org (R4).
import { hash as digest } from "node:crypto";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { UsageError } from "../errors.ts";

/** One Terraform stack: a whole workspace, or one shard of it. */
export interface StackUnit extends DesiredWorkspace {
  /** The stack ID (`id`) is the workspace ID, or `<workspace id>-s007` for a shard. */
  readonly workspaceId: string;
  readonly shard?: { readonly index: number; readonly count: number };
}

/**
 * Suggested shards hold this many accounts to twice as many. From the curve in
 * docs/benchmarks.md ("Terraform at scale"): a stack's fixed cost (two provider
 * starts, `show`, the CLI) is about 6 s per change; above ~130 accounts the
 * per-account cost of plan and first apply grows, and a one-account change
 * passes 10 s.
 */
export const RECOMMENDED_SHARD_SIZE = 64;

/**
 * Shard stack IDs keep the form `<workspace id>-s007`, which is also a valid
 * workspace ID: an HCP Terraform workspace name allows only letters, digits,
 * `-` and `_`, so no form that backends can all hold is outside the set of
 * workspace IDs, and existing shards' states are under these names. So a
 * shard whose ID is a workspace's (present, or applied here before) is
 * refused instead (stackUnits, refuseUnmovedShards): two stacks would share
 * one state.
 */
export function shardStackId(workspaceId: string, index: number): string {
  return `${workspaceId}-s${String(index).padStart(3, "0")}`;
}

/** Why a shard count is refused when one of its stack IDs is taken. */
export function shardCollision(workspaceId: string, count: number, stack: string, taken: string): string {
  return (
    `cerby-okta.yaml \`shards:\` splits workspace ${workspaceId} into ${count} stacks, ${shardStackId(workspaceId, 0)} to ${shardStackId(workspaceId, count - 1)}, ` +
    `but ${stack} ${taken}: the two would share one Terraform state (the same state file, S3 key or HCP workspace), and a plan of one would delete the other's apps. ` +
    `${Number(stack.slice(-3)) >= 2 ? `Shard ${workspaceId} into at most ${Number(stack.slice(-3))} stacks, or leave it whole` : `Leave ${workspaceId} whole`}; nothing was planned`
  );
}

/** The first 4 bytes of SHA-256 of each account ID seen: a synth, its shard advice and a reshard hash each account several times. */
const shardHashes = new Map<string, number>();

/** The shard of an account: the first 4 bytes of SHA-256 of its ID, modulo the count. */
export function shardOf(accountId: string, count: number): number {
  let hash = shardHashes.get(accountId);
  if (hash === undefined) {
    hash = digest("sha256", accountId, "buffer").readUInt32BE(0);
    shardHashes.set(accountId, hash);
  }
  return hash % count;
}

/** The shard count that keeps shards near the recommended size: a power of two, so that a change moves half the accounts at most. */
export function suggestedShardCount(accounts: number): number {
  let count = 1;
  while (accounts / count > RECOMMENDED_SHARD_SIZE * 2) count *= 2;
  return count;
}

/**
 * The stacks of the synced workspaces: one per workspace, or `count` shards
 * for a workspace given a count above 1. A shard holds its accounts' chiclets
 * and the people who see them.
 */
export function stackUnits(workspaces: readonly DesiredWorkspace[], shardCounts: ReadonlyMap<string, number> = new Map()): StackUnit[] {
  const units: StackUnit[] = [];
  const ids = new Set(workspaces.map((workspace) => workspace.id));
  for (const workspace of workspaces) {
    if (!workspace.synced) continue;
    const count = shardCounts.get(workspace.id) ?? 1;
    if (count <= 1) {
      units.push({ ...workspace, workspaceId: workspace.id });
      continue;
    }
    const shards = Array.from({ length: count }, () => [] as DesiredWorkspace["chiclets"][number][]);
    // Who sees something in each shard, found in one pass (not one pass over everyone per shard).
    const shardsOfPerson = new Map<string, Set<number>>();
    for (const chiclet of workspace.chiclets) {
      const index = shardOf(chiclet.accountId, count);
      shards[index]!.push(chiclet);
      for (const user of chiclet.users) {
        let found = shardsOfPerson.get(user);
        if (!found) shardsOfPerson.set(user, (found = new Set()));
        found.add(index);
      }
    }
    const people = Array.from({ length: count }, () => [] as DesiredWorkspace["people"][number][]);
    for (const person of workspace.people) for (const index of shardsOfPerson.get(person.id) ?? []) people[index]!.push(person);
    shards.forEach((chiclets, index) => {
      const id = shardStackId(workspace.id, index);
      if (ids.has(id)) throw new UsageError(shardCollision(workspace.id, count, id, "is also a workspace's ID"));
      units.push({
        ...workspace,
        id,
        workspaceId: workspace.id,
        shard: { index, count },
        chiclets,
        people: people[index]!,
      });
    });
  }
  return units;
}

/** Where a workspace's shard count came from. */
export type ShardSource = "configured" | "in use" | "advised";

/** A workspace's shard count, and why. */
export interface ShardChoice {
  readonly workspaceId: string;
  /** Synced accounts (chiclets). */
  readonly accounts: number;
  readonly count: number;
  /**
   * `configured`: `shards:` in cerby-okta.yaml; `in use`: what its stacks were
   * last applied with; `advised`: a workspace never synced gets the advised
   * count (its state is empty: nothing moves).
   */
  readonly source: ShardSource;
  /** suggestedShardCount(accounts). */
  readonly advised: number;
}

/**
 * Each synced workspace's shard count: `shards:` wins; else the count it is
 * in use with (from the records of its applies); else, at its first sync, the
 * advised one. A workspace whose records disagree must be given `shards:`.
 */
export function chooseShardCounts(
  workspaces: readonly DesiredWorkspace[],
  configured: ReadonlyMap<string, number>,
  inUse: ReadonlyMap<string, readonly number[]>,
): ShardChoice[] {
  return workspaces
    .filter((workspace) => workspace.synced)
    .map((workspace) => {
      const accounts = workspace.chiclets.length;
      const advised = suggestedShardCount(accounts);
      const base = { workspaceId: workspace.id, accounts, advised };
      const given = configured.get(workspace.id);
      if (given !== undefined) return { ...base, count: given, source: "configured" as const };
      const used = inUse.get(workspace.id) ?? [];
      if (used.length > 1) {
        throw new UsageError(
          `workspace ${workspace.id} was applied with ${used.join(" and ")} shards (its status records disagree, a reshard did not finish?): ` +
            "name the count its accounts are in under `shards:` in cerby-okta.yaml, then run `cerby-okta reshard` if it should change",
        );
      }
      if (used.length === 1) return { ...base, count: used[0]!, source: "in use" as const };
      return { ...base, count: advised, source: "advised" as const };
    });
}

/**
 * The count to advise moving to, or undefined when the shards in use are
 * near enough the recommended size (between half and twice the range: a
 * deliberate `shards:` is not nagged about a few accounts).
 */
export function reshardAdvice(choice: ShardChoice): number | undefined {
  if (choice.count === choice.advised) return undefined;
  const perShard = choice.accounts / choice.count;
  const tooBig = perShard > RECOMMENDED_SHARD_SIZE * 4;
  const tooSmall = choice.count > 1 && perShard < RECOMMENDED_SHARD_SIZE / 2;
  return tooBig || tooSmall ? choice.advised : undefined;
}

/** The accounts whose stack changes when a workspace goes from `from` shards to `to`. */
export function movedAccounts<T extends { readonly accountId: string }>(chiclets: readonly T[], from: number, to: number): T[] {
  const stackOf = (accountId: string, count: number) => (count <= 1 ? -1 : shardOf(accountId, count));
  return chiclets.filter((chiclet) => stackOf(chiclet.accountId, from) !== stackOf(chiclet.accountId, to));
}
