// This machine's memo of its applies, one file per stack under
// .cerby-okta/status/: the shard count a workspace was applied with (for
// `reshard` and the refusal to plan unmoved shards). R9 and plan's skip no
// longer come from here but from the state (src/sync/state-status.ts);
// records written before that are still read once by `status` for accounts
// whose state holds no time yet. Any file here may be old, hand-edited or cut
// short: what cannot be read as a record is ignored, never a crash.
import { ensureFolder } from "../files/ensure-folder.ts";
import { readFile, readdir } from "node:fs/promises";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import path from "node:path";

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
  /** Digest of the stack's cdk.tf.json and data file as last applied successfully. */
  readonly appliedDigest?: string;
  readonly accounts: Record<string, AccountStatus>;
}

export function statusFile(stateDir: string, stack: string): string {
  return path.join(stateDir, "status", `${stack}.json`);
}

/** The record of one stack, or undefined when it was never applied here. */
export async function readStatus(stateDir: string, stack: string): Promise<WorkspaceStatus | undefined> {
  return readRecord(statusFile(stateDir, stack));
}

/** One record file, or undefined when it is missing or not a record (`{`, `null`, `[]`, ...). */
async function readRecord(file: string): Promise<WorkspaceStatus | undefined> {
  let record: unknown;
  try {
    record = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
  const { workspaceId, accounts } = (record ?? {}) as Partial<WorkspaceStatus>;
  const isObject = (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value);
  return isObject(record) && typeof workspaceId === "string" && isObject(accounts) ? (record as WorkspaceStatus) : undefined;
}

/** Every stack's record, as written. */
export async function readStatusRecords(stateDir: string): Promise<WorkspaceStatus[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "status"))).filter((file) => file.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const records = await Promise.all(files.map((file) => readRecord(path.join(stateDir, "status", file))));
  return records.filter((record) => record !== undefined);
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
