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
  /** Digest of the stack's cdk.tf.json and data file as last applied successfully. */
  readonly appliedDigest?: string;
  /** ISO time `remove-workspace` took every object of the stack out of Okta (accounts then empty). */
  readonly removedAt?: string;
  readonly accounts: Record<string, AccountStatus>;
}

export function statusFile(stateDir: string, stack: string): string {
  return path.join(stateDir, "status", `${stack}.json`);
}

/** Says once per file and run that a record is unreadable (the CLI prints it on stderr). */
export type StatusWarning = (message: string) => void;

const warned = new Set<string>();
const warnOnce: StatusWarning = (message) => {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
};

/** The record of one stack, or undefined when it was never applied here (or its record is unreadable: then with a warning). */
export async function readStatus(stateDir: string, stack: string, warn: StatusWarning = warnOnce): Promise<WorkspaceStatus | undefined> {
  return readRecord(statusFile(stateDir, stack), warn);
}

async function readRecord(file: string, warn: StatusWarning): Promise<WorkspaceStatus | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    record = error;
  }
  const problem = recordProblem(record);
  if (problem === undefined) return record as WorkspaceStatus;
  // Only a cache of what applies did here: a plan without it plans the stack (no skip), and the next apply writes it again.
  warn(`${file} is not a sync status record (${problem}): treated as absent, so the stack is planned in full and its status is recorded again at the next apply; delete the file to silence this`);
  return undefined;
}

/** What is wrong with a parsed status record, or undefined when it is one. */
function recordProblem(record: unknown): string | undefined {
  if (record instanceof Error) return `not JSON: ${record.message}`;
  if (typeof record !== "object" || record === null || Array.isArray(record)) return `${record === null ? "null" : Array.isArray(record) ? "a list" : typeof record}, not an object`;
  const fields = record as Record<string, unknown>;
  if (typeof fields.workspaceId !== "string" || fields.workspaceId === "") return "no workspaceId";
  for (const key of ["stack", "appliedDigest", "stateSerial", "removedAt"] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== "string") return `${key} is not a string`;
  }
  if (fields.shards !== undefined && !(Number.isInteger(fields.shards) && (fields.shards as number) >= 1)) return "shards is not a whole number of at least 1";
  const accounts = fields.accounts;
  if (typeof accounts !== "object" || accounts === null || Array.isArray(accounts)) return "accounts is not an object";
  for (const [id, account] of Object.entries(accounts)) {
    const values = account as Record<string, unknown> | null;
    if (typeof values !== "object" || values === null || !["label", "extendedBy", "extendedAt", "lastSyncedAt"].every((key) => typeof values[key] === "string")) {
      return `account ${JSON.stringify(id)} lacks label, extendedBy, extendedAt or lastSyncedAt`;
    }
  }
  return undefined;
}

/** Every stack's readable record, as written. */
export async function readStatusRecords(stateDir: string, warn: StatusWarning = warnOnce): Promise<WorkspaceStatus[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "status"))).filter((file) => file.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const records = await Promise.all(files.map((file) => readRecord(path.join(stateDir, "status", file), warn)));
  return records.filter((record): record is WorkspaceStatus => record !== undefined);
}

export async function readAllStatus(stateDir: string): Promise<WorkspaceStatus[]> {
  const records = await readStatusRecords(stateDir);
  // One record per workspace: its shards' accounts together; removed when every shard's removal was applied.
  const byWorkspace = new Map<string, { accounts: Record<string, AccountStatus>; removedAt?: string; kept: boolean }>();
  for (const record of records) {
    const seen = byWorkspace.get(record.workspaceId);
    const removedAt = record.removedAt !== undefined && (seen?.removedAt ?? "") < record.removedAt ? record.removedAt : seen?.removedAt;
    byWorkspace.set(record.workspaceId, { accounts: { ...seen?.accounts, ...record.accounts }, removedAt, kept: (seen?.kept ?? false) || record.removedAt === undefined });
  }
  return [...byWorkspace]
    .sort(([a], [b]) => compareText(a, b))
    .map(([workspaceId, { accounts, removedAt, kept }]) => ({
      workspaceId,
      ...(removedAt !== undefined && !kept ? { removedAt } : {}),
      accounts: Object.fromEntries(Object.entries(accounts).sort(([a], [b]) => compareText(a, b))),
    }));
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
