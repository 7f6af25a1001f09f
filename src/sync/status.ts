// R9: per extended account, when it was extended, by whom, and when it last
// synced successfully. Recorded after every successful apply, one file per
// stack under .cerby-okta/status/ (keep it with the state in CI), with a
// digest of what was applied: a stack whose configuration and data are still
// that digest needs no new plan.
import { ensureFolder } from "../files/ensure-folder.ts";
import { readFile, readdir } from "node:fs/promises";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import path from "node:path";
import { compareText } from "../text/printable.ts";

export interface AccountStatus {
  readonly label: string;
  readonly extendedBy: string;
  readonly extendedAt: string;
  /** ISO time of the last apply that succeeded with this account in it. */
  readonly lastSyncedAt: string;
}

export interface WorkspaceStatus {
  readonly workspaceId: string;
  /** The stack: the workspace ID, or one of its shards. */
  readonly stack?: string;
  /** The workspace's shard count at that apply (1: not sharded). */
  readonly shards?: number;
  /** The Terraform state's lineage and serial when `status --from-state` last read it (after `cdktf deploy`). */
  readonly stateSerial?: string;
  /** Digest of the stack's cdk.tf.json and data file as last applied successfully. */
  readonly appliedDigest?: string;
  readonly accounts: Record<string, AccountStatus>;
}

export function statusFile(stateDir: string, stack: string): string {
  return path.join(stateDir, "status", `${stack}.json`);
}

/** The record of one stack, or undefined when it was never applied here. */
export async function readStatus(stateDir: string, stack: string): Promise<WorkspaceStatus | undefined> {
  try {
    return JSON.parse(await readFile(statusFile(stateDir, stack), "utf8")) as WorkspaceStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Every stack's record, as written. */
export async function readStatusRecords(stateDir: string): Promise<WorkspaceStatus[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "status"))).filter((file) => file.endsWith(".json")).sort();
  } catch {
    return [];
  }
  return Promise.all(files.map(async (file) => JSON.parse(await readFile(path.join(stateDir, "status", file), "utf8")) as WorkspaceStatus));
}

export async function readAllStatus(stateDir: string): Promise<WorkspaceStatus[]> {
  const records = await readStatusRecords(stateDir);
  // One record per workspace: its shards' accounts together.
  const byWorkspace = new Map<string, Record<string, AccountStatus>>();
  for (const record of records) byWorkspace.set(record.workspaceId, { ...byWorkspace.get(record.workspaceId), ...record.accounts });
  return [...byWorkspace]
    .sort(([a], [b]) => compareText(a, b))
    .map(([workspaceId, accounts]) => ({ workspaceId, accounts: Object.fromEntries(Object.entries(accounts).sort(([a], [b]) => compareText(a, b))) }));
}

/** After a successful apply: every account in the applied stack is in sync as of `syncedAt`; accounts no longer there are dropped. */
export async function recordSync(
  stateDir: string,
  applied: { stack: string; workspaceId: string; shards?: number; digest: string | undefined },
  accounts: Record<string, Omit<AccountStatus, "lastSyncedAt">>,
  syncedAt: Date,
): Promise<void> {
  const status: WorkspaceStatus = {
    workspaceId: applied.workspaceId,
    stack: applied.stack,
    shards: applied.shards ?? 1,
    ...(applied.digest ? { appliedDigest: applied.digest } : {}),
    accounts: Object.fromEntries(
      Object.entries(accounts).map(([id, account]) => [id, { ...account, lastSyncedAt: syncedAt.toISOString() }]),
    ),
  };
  await writeStatus(stateDir, status);
}

/** Writes a stack's record whole (replacing any earlier one). */
export async function writeStatus(stateDir: string, status: WorkspaceStatus): Promise<void> {
  const file = statusFile(stateDir, status.stack ?? status.workspaceId);
  await ensureFolder(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(status, null, 2)}\n`);
}
