// R9: per extended account, when it was extended, by whom, and when it last
// synced successfully. Recorded after every successful apply, one file per
// workspace under .cerby-okta/status/ (keep it with the state in CI).
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
  readonly accounts: Record<string, AccountStatus>;
}

export function statusFile(stateDir: string, workspaceId: string): string {
  return path.join(stateDir, "status", `${workspaceId}.json`);
}

export async function readStatus(stateDir: string, workspaceId: string): Promise<WorkspaceStatus | undefined> {
  try {
    return JSON.parse(await readFile(statusFile(stateDir, workspaceId), "utf8")) as WorkspaceStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function readAllStatus(stateDir: string): Promise<WorkspaceStatus[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "status"))).filter((file) => file.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const records = await Promise.all(
    files.map(async (file) => JSON.parse(await readFile(path.join(stateDir, "status", file), "utf8")) as WorkspaceStatus),
  );
  return records.sort((a, b) => compareText(a.workspaceId, b.workspaceId));
}

/** After a successful apply: every account in the applied stack is in sync as of `syncedAt`; accounts no longer there are dropped. */
export async function recordSync(
  stateDir: string,
  workspaceId: string,
  accounts: Record<string, Omit<AccountStatus, "lastSyncedAt">>,
  syncedAt: Date,
): Promise<void> {
  const status: WorkspaceStatus = {
    workspaceId,
    accounts: Object.fromEntries(
      Object.entries(accounts).map(([id, account]) => [id, { ...account, lastSyncedAt: syncedAt.toISOString() }]),
    ),
  };
  const file = statusFile(stateDir, workspaceId);
  await ensureFolder(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(status, null, 2)}\n`);
}
