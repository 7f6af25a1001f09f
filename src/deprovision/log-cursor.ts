// Where the next run of `deprovision` reads Okta's System Log from (R7
// incrementally): the `rel="next"` link the last applied run's poll ended
// on, kept per workspace in the state folder. Without a usable cursor a run
// reads every user (the full scan) and starts one.
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../files/write-file-atomic.ts";

/** Okta keeps the System Log for 90 days: a cursor older than this may have lost events, so the run reads every user. */
export const MAX_CURSOR_AGE_DAYS = 80;

export interface LogCursor {
  readonly version: 1;
  /** The Okta org's origin the link belongs to. */
  readonly okta: string;
  /** Where the next poll starts. */
  readonly next: string;
  /** When the run that saved it started (ISO 8601). */
  readonly savedAt: string;
  /** Cerby IDs of the workspace's users at that run: users not listed are new, and are read one by one. */
  readonly users: readonly string[];
}

export function cursorFile(stateDir: string, workspaceId: string): string {
  return path.join(stateDir, "deprovision", `${encodeURIComponent(workspaceId)}.cursor.json`);
}

/** The cursor to poll from, or why the run reads every user instead. */
export async function readCursor(file: string, oktaOrigin: string, nowMs: number): Promise<{ cursor: LogCursor } | { fullBecause: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { fullBecause: "no System Log cursor yet (the first run)" };
    return { fullBecause: `the System Log cursor ${file} cannot be read (${(error as Error).message})` };
  }
  let cursor: LogCursor;
  try {
    cursor = JSON.parse(text) as LogCursor;
  } catch {
    return { fullBecause: `the System Log cursor ${file} is not JSON` };
  }
  const saved = Date.parse(cursor?.savedAt);
  if (cursor?.version !== 1 || typeof cursor.next !== "string" || Number.isNaN(saved) || !Array.isArray(cursor.users)) {
    return { fullBecause: `the System Log cursor ${file} is not one this version wrote` };
  }
  if (cursor.okta !== oktaOrigin) return { fullBecause: `the System Log cursor is for ${cursor.okta}, not ${oktaOrigin}` };
  if (nowMs - saved > MAX_CURSOR_AGE_DAYS * 24 * 3600_000) {
    return { fullBecause: `the System Log cursor is from ${cursor.savedAt}, more than ${MAX_CURSOR_AGE_DAYS} days ago (Okta keeps 90)` };
  }
  return { cursor };
}

export async function writeCursor(file: string, cursor: LogCursor): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(cursor, null, 2)}\n`);
}
