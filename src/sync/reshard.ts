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
import { rm } from "node:fs/promises";
import { UsageError } from "../errors.ts";
import { ACCESS_GROUP, APP, instanceAddress, MANAGED_RESOURCES, stateInstances } from "../stack/names.ts";
import { emptyMap, type Adoption } from "../stack/stack-data.ts";
import { shardStackId, type StackUnit } from "../stack/shards.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { Log } from "./plan.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import { readStatusRecords, statusFile } from "./status.ts";

export interface Move {
  readonly accountId: string;
  readonly from: string;
  readonly to: string;
}

export interface ReshardResult {
  /** The new stacks' imports, by stack ID. */
  readonly imports: ReadonlyMap<string, Adoption>;
  readonly moves: readonly Move[];
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
export async function stacksLeftBehind(stateDir: string, stacks: readonly StackUnit[]): Promise<Map<string, string[]>> {
  // Every stack ID of each workspace's current layout, whichever of them were given.
  const layout = new Map<string, Set<string>>();
  for (const stack of stacks) {
    const count = stack.shard?.count ?? 1;
    layout.set(stack.workspaceId, new Set(count > 1 ? Array.from({ length: count }, (_, index) => shardStackId(stack.workspaceId, index)) : [stack.workspaceId]));
  }
  const left = new Map<string, string[]>();
  for (const record of await readStatusRecords(stateDir)) {
    const stack = record.stack ?? record.workspaceId;
    const current = layout.get(record.workspaceId);
    if (!current || current.has(stack)) continue;
    left.set(record.workspaceId, [...(left.get(record.workspaceId) ?? []), stack]);
  }
  return left;
}

/** Refuses to plan a workspace whose shard count changed until `reshard` moved its accounts. */
export async function refuseUnmovedShards(stateDir: string, stacks: readonly StackUnit[]): Promise<void> {
  const left = await stacksLeftBehind(stateDir, stacks);
  if (left.size === 0) return;
  const lines = [...left].map(([workspace, old]) => `  ${workspace}: applied as ${old.join(", ")}; now ${shardCount(stacks, workspace)} shard(s)`);
  throw new UsageError(
    `the shard count of ${left.size === 1 ? "a workspace" : `${left.size} workspaces`} changed since its last apply:\n${lines.join("\n")}\n` +
      "Its accounts are still in the old stacks' states; planning the new stacks now would create their apps again. " +
      "Run `cerby-okta reshard` to move them (it sends Okta no request; the plan after it reads each moved account once), then plan.",
  );
}

function shardCount(stacks: readonly StackUnit[], workspaceId: string): number {
  return stacks.find((stack) => stack.workspaceId === workspaceId)?.shard?.count ?? 1;
}

/**
 * Moves the accounts of `oldStacks` (folders already synthesized with their
 * backend) into the stacks of `newStacks` they now belong to. `writeImports`
 * is called, and must have succeeded, before any state is touched.
 */
export async function reshard(
  oldStacks: readonly string[],
  newStacks: readonly StackUnit[],
  terraform: Terraform,
  paths: SyncPaths,
  options: { writeImports: (imports: ReadonlyMap<string, Adoption>) => Promise<void>; log: Log },
): Promise<ReshardResult> {
  const home = new Map(newStacks.flatMap((stack) => stack.chiclets.map((chiclet) => [chiclet.accountId, stack.id] as const)));
  const newIds = new Set(newStacks.map((stack) => stack.id));
  const imports = new Map<string, { apps: Record<string, string>; accessGroups: Record<string, string> }>();
  const moves: Move[] = [];
  const leaving = new Map<string, string[]>();
  for (const from of oldStacks) {
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
      // An account no longer in the workspace, in a stack that stays: its next plan removes it.
      if (to === undefined || to === from) continue;
      if (imports.get(to)?.apps[accountId] !== undefined) throw new UsageError(`account ${accountId} is in the states of two stacks (${from} and another): resolve by hand before resharding`);
      const target = imports.get(to) ?? { apps: emptyMap<string>(), accessGroups: emptyMap<string>() };
      if (objects.appId) target.apps[accountId] = objects.appId;
      if (objects.groupId) target.accessGroups[accountId] = objects.groupId;
      imports.set(to, target);
      moves.push({ accountId, from, to });
      leaving.set(from, [...(leaving.get(from) ?? []), ...objects.addresses]);
    }
  }
  await options.writeImports(imports);
  for (const from of oldStacks) {
    const addresses = leaving.get(from) ?? [];
    const count = moves.filter((move) => move.from === from).length;
    if (addresses.length > 0) {
      options.log(`${from}: ${count} account${count === 1 ? "" : "s"} leave this stack's state (nothing in Okta changes)`);
      await terraform.forget(stackDir(paths, from), addresses);
    }
    // Its status record described accounts it no longer holds, or a stack that is gone.
    if (addresses.length > 0 || !newIds.has(from)) await rm(statusFile(paths.stateDir, from), { force: true });
  }
  return { imports, moves };
}
