// Waiting for syncs of a real watcher, without sleeping blindly.
import { cp, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SyncReport, Watcher } from "../../src/watch/watcher.ts";

export const EXAMPLE_WORKSPACES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../workspaces");

export async function copyExamples(target: string): Promise<void> {
  await cp(EXAMPLE_WORKSPACES, target, { recursive: true });
}

export interface SyncLog {
  readonly reports: SyncReport[];
  /** The first report after the `after`-th one that matches, waiting up to `timeoutMs`. */
  next(matches?: (report: SyncReport) => boolean, timeoutMs?: number): Promise<SyncReport>;
  /** Number of reports so far: pass as the start point of `next`. */
  mark(): number;
}

export function recordSyncs(watcher: Watcher): SyncLog {
  const reports: SyncReport[] = [];
  const waiters = new Set<() => void>();
  watcher.onSync((report) => {
    reports.push(report);
    for (const wake of waiters) wake();
  });
  let cursor = 0;
  return {
    reports,
    mark: () => (cursor = reports.length),
    next(matches = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let index = cursor; index < reports.length; index++) {
            if (matches(reports[index]!)) {
              cursor = index + 1;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(reports[index]!);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching sync within ${timeoutMs} ms; saw: ${JSON.stringify(reports.map((report) => ({ seq: report.seq, outcome: report.outcome, written: report.written, files: report.filesParsed })))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

export async function readStack(outDir: string, id: string): Promise<{ stack: string; data: string }> {
  const folder = path.join(outDir, "stacks", id);
  return { stack: await readFile(path.join(folder, "cdk.tf.json"), "utf8"), data: await readFile(path.join(folder, "cerby-okta.json"), "utf8") };
}

export async function readData(outDir: string, id: string): Promise<{ apps: Record<string, { label: string }>; accessGroups: Record<string, { users: string[] }> }> {
  return JSON.parse((await readStack(outDir, id)).data);
}

/** Silences the watcher's messages but keeps them for assertions. */
export function captureLog(): { lines: string[]; log: (text: string) => void } {
  const lines: string[] = [];
  return { lines, log: (text: string) => lines.push(...text.split("\n")) };
}
