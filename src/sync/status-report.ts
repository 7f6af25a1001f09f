// `cerby-okta status` (R9): per extended account, when it was extended and by
// whom (the workspace files), and when it last synced (the stamp the apply
// that last changed its objects left in the stack's state). Any machine
// sharing the backend shows the same; a stack whose state holds no stamps yet
// (applied before they existed) shows the times this machine recorded then.
import { APP, stateInstances } from "../stack/names.ts";
import type { StackUnit } from "../stack/shards.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { SyncPaths } from "./saved-plans.ts";
import { hasApplyRecord, readStackState, STACK_READS_AT_ONCE, stateMatchesFiles, syncStamps } from "./state-status.ts";
import { readStatus, type AccountStatus } from "./status.ts";
import { inPool, Limiter } from "../limiter.ts";

export interface AccountReport extends Omit<AccountStatus, "lastSyncedAt"> {
  /** Absent: no apply has synced the account's objects as they are wanted now or before. */
  readonly lastSyncedAt?: string;
}

export interface StackReport {
  readonly stack: string;
  readonly workspaceId: string;
  /** `applied`: its state holds what its files ask; `pending`: not yet (`detail` says why); `unreadable`: its state could not be read. */
  readonly state: "applied" | "pending" | "unreadable";
  readonly detail: string;
  /** Times read from .cerby-okta/status/ on this machine, for a state applied before it held them. */
  readonly fromLocalRecord?: true;
}

export interface StatusReport {
  readonly workspaces: { readonly workspaceId: string; readonly accounts: Record<string, AccountReport> }[];
  readonly stacks: StackReport[];
}

/**
 * Reads each stack's state once (the local backend's as a file, STACK_READS_AT_ONCE
 * stacks at a time; others with `terraform state pull`, one at a time).
 */
export async function statusFromStates(stacks: readonly StackUnit[], paths: SyncPaths, terraform: Terraform | undefined): Promise<StatusReport> {
  const terraformSlots = new Limiter(1);
  // Each task keeps what the report needs of its state, not the state: 128 states together are some 40 MB.
  const perStack = await inPool(stacks, STACK_READS_AT_ONCE, async (unit) => {
    const read = await readStackState(paths, unit.id, terraform, terraformSlots);
    const stamps = read.readable ? syncStamps(read.state) : new Map<string, string>();
    // A state applied before the record moved into it: this machine's record of that apply, for the accounts whose
    // app the state holds, until the next apply stamps the state. An empty or destroyed state is never synced.
    const preRecord = read.readable && !hasApplyRecord(read.state) ? new Set(stateInstances(read.state, APP).map(({ key }) => key)) : new Set<string>();
    const legacy = preRecord.size > 0 ? await readStatus(paths.stateDir, unit.id) : undefined;
    const { applied, reason } = read.readable ? await stateMatchesFiles(paths, unit.id, read) : { applied: false, reason: read.reason };
    return { stamps, preRecord, legacy, state: !read.readable ? ("unreadable" as const) : applied ? ("applied" as const) : ("pending" as const), reason };
  });
  const workspaces = new Map<string, Record<string, AccountReport>>();
  const reports: StackReport[] = [];
  stacks.forEach((unit, position) => {
    const { stamps, preRecord, legacy, state, reason } = perStack[position]!;
    const accounts = workspaces.get(unit.workspaceId) ?? (Object.create(null) as Record<string, AccountReport>);
    for (const chiclet of unit.chiclets) {
      const earlier = preRecord.has(chiclet.accountId) ? legacy?.accounts[chiclet.accountId]?.lastSyncedAt : undefined;
      const lastSyncedAt = stamps.get(chiclet.accountId) ?? (typeof earlier === "string" ? earlier : undefined);
      accounts[chiclet.accountId] = { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt, ...(lastSyncedAt ? { lastSyncedAt } : {}) };
    }
    workspaces.set(unit.workspaceId, accounts);
    reports.push({ stack: unit.id, workspaceId: unit.workspaceId, state, detail: reason, ...(legacy ? { fromLocalRecord: true as const } : {}) });
  });
  return { workspaces: [...workspaces].map(([workspaceId, accounts]) => ({ workspaceId, accounts })), stacks: reports };
}
