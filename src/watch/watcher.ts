// Watch mode (issue 4): re-synthesize on every change, fast, and never die on
// a bad edit. Usable without the CLI:
//
//   const watcher = startWatcher({ workspacesDir, outDir });
//   watcher.onSync((report) => ...);
//   await watcher.ready;          // watching, and the first sync is done
//   ...
//   await watcher.stop();         // in-flight sync finished or dropped whole
//
// One sync at a time. File events are debounced (a burst of writes, an
// editor's save, a `git checkout`, becomes one sync); events arriving during a
// sync are folded into the next one. A sync re-reads only files that changed,
// re-parses only text that changed, recomputes the desired state (labels are
// numbered per Okta org across workspaces) and writes only the stacks whose
// desired state changed. Any input problem keeps the whole last good output
// in place (like `synth`, all or nothing) until an edit fixes it.
import { watch, type FSWatcher } from "chokidar";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { formatIssue, UsageError, type InputIssue } from "../errors.ts";
import { printable, type DesiredWorkspace } from "../domain/desired-state.ts";
import { assembleWorkspace, displayPath, listWorkspaceFiles } from "../workspace/load.ts";
import { checkWorkspaceSet } from "../workspace/check.ts";
import type { Workspace } from "../workspace/model.ts";
import { DesiredByOrg } from "./desired-by-org.ts";
import { describeChanges, newWarnings, stackChanged } from "./diff.ts";
import { FileCache, type CachedFile } from "./file-cache.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { StackWriter, SyncAborted } from "./stack-writer.ts";
import { checkOutDir, type ProtectedPaths } from "../stack/out-dir.ts";

/**
 * Plans and applies the given stacks (folders `<out>/stacks/<id>`). Must stop
 * the Terraform run and reject when `signal` fires. `written` holds the
 * desired state each stack was last written from. The CLI wires it to the
 * Terraform commands (src/watch/apply.ts).
 */
export type ApplyStacks = (stackIds: string[], signal: AbortSignal, written: ReadonlyMap<string, DesiredWorkspace>) => Promise<void>;

export type LogLevel = "info" | "notice" | "error";
export type WatchLog = (text: string, level: LogLevel) => void;

export interface WatchOptions {
  readonly workspacesDir: string;
  readonly outDir: string;
  /** Quiet time after the last file event before a sync starts. Default 50 ms. */
  readonly debounceMs?: number;
  /** A sync starts at the latest this long after the first event of a burst. Default 1000 ms. */
  readonly maxWaitMs?: number;
  /** Where messages go; each call is one or more whole lines, without the final newline. */
  readonly log?: WatchLog;
  /** Runs after each sync that wrote stacks, for those stacks (`--apply`). */
  readonly applyStacks?: ApplyStacks;
  /** Lines of Okta changes printed per workspace and sync before "... and N more". Default 40. */
  readonly maxChangeLines?: number;
  /** Stack settings (the state backend), as `synth` uses them. */
  readonly stackOptions?: StackOptions;
  /** What the output folder must never replace (as for `synth --out`). */
  readonly protectedPaths?: ProtectedPaths;
}

export type SyncOutcome =
  /** The new output is on disk (and applied, when asked). */
  | "ok"
  /** Nothing that matters changed (e.g. an event for a file whose text is the same). */
  | "unchanged"
  /** Input problems: the last good output stays. */
  | "invalid"
  /** Something outside failed (file system, Terraform): the last good output stays or is partly applied. */
  | "failed"
  /** Stopped: nothing of this sync was written, or the apply was interrupted. */
  | "aborted";

export interface SyncReport {
  readonly seq: number;
  readonly initial: boolean;
  readonly startedAt: Date;
  /** Until the output was on disk (before any apply). */
  readonly durationMs: number;
  readonly outcome: SyncOutcome;
  readonly issues: readonly InputIssue[];
  readonly error?: string;
  /** Files whose text changed and were parsed again, as shown in messages. */
  readonly filesParsed: readonly string[];
  /** Stack IDs written by this sync. */
  readonly written: readonly string[];
  /** Stack IDs applied by this sync. */
  readonly applied: readonly string[];
  /** The Okta-terms lines printed for this sync. */
  readonly changes: readonly string[];
  /** Milliseconds spent reading and checking files, computing the desired state, comparing, and writing stacks. */
  readonly phases: { read: number; desired: number; compare: number; write: number };
}

export interface StopResult {
  /** A sync was in flight and was dropped before its output was swapped in. */
  readonly syncInterrupted: boolean;
  /** A Terraform run was in flight and was told to stop. */
  readonly applyInterrupted: boolean;
}

export interface Watcher {
  /** Resolves once the file watcher runs and the first sync is done (whatever its outcome); rejects when the workspaces folder cannot be read. */
  readonly ready: Promise<void>;
  /** Calls `listener` after every sync; returns a function that removes it. */
  onSync(listener: (report: SyncReport) => void): () => void;
  /** Calls `listener` when a sync starts, with its number; returns a function that removes it. */
  onSyncStart(listener: (seq: number) => void): () => void;
  /** Stops watching: an in-flight sync is finished (when past staging) or dropped whole; an in-flight apply is aborted. */
  stop(): Promise<StopResult>;
}

interface Assembly {
  readonly entries: readonly CachedFile[];
  readonly workspace: Workspace | undefined;
  readonly issues: readonly InputIssue[];
}

const WORKSPACE_FILE = /\.(ya?ml|json)$/i;

export function startWatcher(options: WatchOptions): Watcher {
  const root = path.resolve(options.workspacesDir);
  const debounceMs = options.debounceMs ?? 50;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const maxChangeLines = options.maxChangeLines ?? 40;
  const log: WatchLog = options.log ?? defaultLog;
  const writer = new StackWriter(options.outDir, options.stackOptions);
  const outDir = writer.outDir;
  const cache = new FileCache();
  const assemblies = new Map<string, Assembly>();
  const desired = new DesiredByOrg();
  const listeners = new Set<(report: SyncReport) => void>();
  const startListeners = new Set<(seq: number) => void>();
  const abort = new AbortController();

  /** Last desired state seen for each workspace ID, and last written to disk. */
  let seen = new Map<string, DesiredWorkspace>();
  const written = new Map<string, DesiredWorkspace>();
  const pendingApply = new Set<string>();
  let mustRecompute = true;

  let fsWatcher: FSWatcher | undefined;
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let burstStartedAt: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let seq = 0;
  let stopping = false;
  let phase: "idle" | "reading" | "writing" | "applying" = "idle";
  let lastOutcome: SyncOutcome | undefined;
  let stopResult: Promise<StopResult> | undefined;

  const schedule = () => {
    if (stopping) return;
    const now = Date.now();
    burstStartedAt ??= now;
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, burstStartedAt + maxWaitMs - now));
    timer = setTimeout(() => {
      timer = undefined;
      burstStartedAt = undefined;
      kick();
    }, wait);
  };

  const kick = () => {
    if (stopping) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const batch = new Set(dirty);
          dirty.clear();
          await syncOnce(batch);
        } while (again && !stopping);
      } finally {
        running = undefined;
      }
    })();
  };

  const emit = (report: SyncReport) => {
    for (const listener of listeners) {
      try {
        listener(report);
      } catch (error) {
        log(`a sync listener failed: ${(error as Error).message}`, "error");
      }
    }
  };

  async function readWorkspaces(batch: ReadonlySet<string>, filesParsed: string[]) {
    let entries;
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch (error) {
      throw new UsageError(`cannot read the workspaces folder ${displayPath(root)}: ${(error as Error).message}`, { cause: error });
    }
    const folders = entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => path.join(root, entry.name))
      .filter((folder) => folder !== outDir)
      .sort();
    const issues: InputIssue[] = [];
    const workspaces: Workspace[] = [];
    const liveFiles = new Set<string>();
    let changed = false;
    const liveFolders = new Set<string>();
    for (const folder of folders) {
      let files: string[];
      try {
        files = await listWorkspaceFiles(folder);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") continue; // gone meanwhile: its event follows
        throw error;
      }
      liveFolders.add(folder);
      const folderEntries: CachedFile[] = [];
      for (const file of files) {
        const outcome = await cache.read(file, batch.has(file));
        if (outcome.kind === "gone") continue;
        liveFiles.add(file);
        if (outcome.kind === "changed") filesParsed.push(displayPath(file));
        folderEntries.push(outcome.entry);
      }
      const previous = assemblies.get(folder);
      let assembly: Assembly;
      if (previous && sameEntries(previous.entries, folderEntries)) assembly = previous;
      else {
        changed = true;
        const fileIssues = folderEntries.flatMap((entry) => entry.issues);
        if (fileIssues.length > 0) assembly = { entries: folderEntries, workspace: undefined, issues: fileIssues };
        else {
          const assembleIssues: InputIssue[] = [];
          const workspace = assembleWorkspace(folder, folderEntries.map((entry) => entry.parsed!), assembleIssues);
          assembly = { entries: folderEntries, workspace: assembleIssues.length > 0 ? undefined : workspace, issues: assembleIssues };
        }
        assemblies.set(folder, assembly);
      }
      issues.push(...assembly.issues);
      if (assembly.workspace) workspaces.push(assembly.workspace);
    }
    for (const folder of assemblies.keys()) {
      if (!liveFolders.has(folder)) {
        assemblies.delete(folder);
        changed = true;
      }
    }
    cache.retainOnly(liveFiles);
    checkWorkspaceSet(workspaces, issues);
    return { workspaces, issues, changed };
  }

  async function syncOnce(batch: ReadonlySet<string>): Promise<void> {
    seq++;
    const initial = seq === 1;
    const startedAt = new Date();
    const start = performance.now();
    const filesParsed: string[] = [];
    const toWrite: DesiredWorkspace[] = [];
    const applied: string[] = [];
    const changes: string[] = [];
    const notices: string[] = [];
    let issues: readonly InputIssue[] = [];
    let outcome: SyncOutcome = "ok";
    let error: string | undefined;
    let durationMs = 0;
    let failedWhile = "";
    const phases = { read: 0, desired: 0, compare: 0, write: 0 };
    let mark = start;
    const lap = (name: keyof typeof phases) => {
      const now = performance.now();
      phases[name] = now - mark;
      mark = now;
    };
    try {
      phase = "reading";
      for (const listener of startListeners) listener(seq);
      const read = await readWorkspaces(batch, filesParsed);
      lap("read");
      issues = read.issues;
      if (!read.changed && !mustRecompute) {
        outcome = "unchanged";
        return;
      }
      mustRecompute = true;
      if (issues.length > 0) {
        outcome = "invalid";
        return;
      }
      if (abort.signal.aborted) throw new SyncAborted("stopped");

      const state = desired.compute(read.workspaces);
      lap("desired");
      const now = new Map(state.map((workspace) => [workspace.id, workspace]));
      for (const workspace of state) {
        const before = seen.get(workspace.id);
        if (!workspace.synced) {
          if (written.has(workspace.id) && (before === undefined || before.synced)) {
            notices.push(`${workspace.id}: Extended account access is off: its stack in ${displayPath(path.join(writer.stacksDir, workspace.id))} is left as it was and no longer updated; Okta keeps what it has (R1)`);
          }
          continue;
        }
        const base = written.get(workspace.id);
        if (!base || stackChanged(base, workspace)) toWrite.push(workspace);
      }
      for (const [id, before] of seen) {
        if (now.has(id)) continue;
        const where = `${displayPath(path.join(writer.stacksDir, id))}`;
        notices.push(
          written.has(id)
            ? `${id}: its workspace folder ${before.folder} is gone (or now holds another ID): the stack in ${where} is left in place, and Okta keeps its apps; removing them is an explicit decision (delete the stack with Terraform)`
            : `${id}: its workspace folder ${before.folder} is gone`,
        );
      }

      lap("compare");
      phase = "writing";
      failedWhile = "writing the stacks";
      await writer.write(toWrite, abort.signal);
      lap("write");
      durationMs = performance.now() - start;
      for (const workspace of toWrite) {
        const before = written.get(workspace.id);
        const lines = initial || !before ? [firstWriteSummary(workspace, before === undefined && !initial)] : describeChanges(before, workspace, teamNames(read.workspaces, workspace.id));
        changes.push(...capped(lines, maxChangeLines).map((line) => `${workspace.id}: ${line}`));
        written.set(workspace.id, workspace);
        pendingApply.add(workspace.id);
      }
      for (const workspace of state) {
        const lines = newWarnings(initial ? undefined : seen.get(workspace.id), workspace);
        changes.push(...capped(lines, maxChangeLines).map((line) => `${workspace.id}: ${line}`));
      }
      seen = now;
      mustRecompute = false;
      report(`sync #${seq}${initial ? " (first)" : ""}${lastOutcome === "invalid" ? " (input valid again)" : ""} done in ${formatMs(durationMs)}: ${toWrite.length === 0 ? "no stack changed" : `wrote ${toWrite.map((workspace) => workspace.id).join(", ")}`}`);

      if (options.applyStacks && pendingApply.size > 0 && !abort.signal.aborted) {
        phase = "applying";
        failedWhile = "applying";
        const ids = [...pendingApply].sort();
        const applyStart = performance.now();
        log(`${timestamp()} applying ${ids.join(", ")} ...`, "info");
        await options.applyStacks(ids, abort.signal, written);
        for (const id of ids) pendingApply.delete(id);
        applied.push(...ids);
        log(`${timestamp()} applied ${ids.join(", ")} in ${formatMs(performance.now() - applyStart)}`, "info");
      }
    } catch (caught) {
      if (caught instanceof SyncAborted || abort.signal.aborted) {
        outcome = "aborted";
        error = phase === "applying" ? "the Terraform run was stopped; the stacks will be applied again at the next start" : "stopped before the new output was swapped in";
      } else {
        outcome = "failed";
        error = `${failedWhile ? `${failedWhile}: ` : ""}${describeError(caught)}`;
        if (phase !== "applying") for (const file of batch) dirty.add(file);
        else error += `; ${[...pendingApply].sort().join(", ")} stay pending and are planned again after the next change`;
      }
    } finally {
      phase = "idle";
      if (durationMs === 0) durationMs = performance.now() - start;
      if (outcome === "invalid") {
        log(
          `${timestamp()} sync #${seq}: ${issues.length} problem${issues.length === 1 ? "" : "s"} in the workspace input; the last good output stays in place:\n` +
            issues.map((issue) => `  ${formatIssue(issue)}`).join("\n"),
          "error",
        );
      } else if (outcome === "failed") {
        const retry = failedWhile === "applying" ? "" : `${written.size > 0 ? "; the last good output stays in place" : ""}; will retry on the next change`;
        log(`${timestamp()} sync #${seq} failed: ${error}${retry}`, "error");
      } else if (outcome === "aborted") {
        log(`${timestamp()} sync #${seq} stopped: ${error}`, "notice");
      }
      if (outcome !== "unchanged") lastOutcome = outcome;
      emit({ seq, initial, startedAt, durationMs, outcome, issues, error, filesParsed, written: toWrite.map((workspace) => workspace.id), applied, changes, phases });
    }

    function report(headline: string) {
      const lines = [`${timestamp(startedAt)} ${headline}`, ...changes.map((line) => `  ${line}`)];
      log(lines.join("\n"), "info");
      for (const notice of notices) log(`  notice: ${notice}`, "notice");
    }
  }

  const ready = (async () => {
    let rootStats;
    try {
      rootStats = await stat(root);
    } catch (error) {
      throw new UsageError(`cannot read the workspaces folder ${displayPath(root)}: ${(error as Error).message}`, { cause: error });
    }
    if (!rootStats.isDirectory()) throw new UsageError(`the workspaces folder ${displayPath(root)} is not a folder`);
    await checkOutDir(outDir, options.protectedPaths ?? { keep: [{ path: root, what: "the workspaces folder" }] });
    await writer.recover();
    if (stopping) return;
    fsWatcher = watch(root, {
      ignoreInitial: true,
      depth: 1,
      ignored: (file, stats) => {
        const relative = path.relative(root, file);
        if (relative === "") return false;
        if (relative.split(path.sep).some((part) => part.startsWith("."))) return true;
        if (file === outDir || file.startsWith(outDir + path.sep)) return true;
        return stats?.isFile() === true && !WORKSPACE_FILE.test(file);
      },
    });
    const onEvent = (file: string) => {
      dirty.add(path.resolve(file));
      schedule();
    };
    for (const event of ["add", "change", "unlink", "addDir", "unlinkDir"] as const) fsWatcher.on(event, onEvent);
    fsWatcher.on("error", (error) => log(`${timestamp()} file watcher: ${(error as Error).message ?? String(error)}`, "error"));
    await new Promise<void>((resolve) => fsWatcher!.once("ready", () => resolve()));
    if (stopping) return;
    kick();
    await running;
  })();
  // `ready` may be awaited late or never: its rejection is reported there.
  ready.catch(() => undefined);

  return {
    ready,
    onSync(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onSyncStart(listener) {
      startListeners.add(listener);
      return () => startListeners.delete(listener);
    },
    stop() {
      stopResult ??= (async () => {
        stopping = true;
        const inFlight = phase;
        if (timer) clearTimeout(timer);
        abort.abort();
        let result: StopResult = { syncInterrupted: false, applyInterrupted: false };
        const listener = (report: SyncReport) => {
          if (report.outcome === "aborted") result = { syncInterrupted: inFlight !== "applying", applyInterrupted: inFlight === "applying" };
        };
        listeners.add(listener);
        await ready.catch(() => undefined);
        await fsWatcher?.close();
        while (running) await running;
        listeners.delete(listener);
        return result;
      })();
      return stopResult;
    },
  };
}

/** The message, and the causes' messages (Terraform's own error is usually the cause). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current !== undefined && parts.length < 4; current = (current as { cause?: unknown }).cause) {
    const message = current instanceof Error ? current.message : String(current);
    if (!parts.includes(message)) parts.push(message);
    if (!(current instanceof Error)) break;
  }
  return parts.join(": ");
}

function sameEntries(a: readonly CachedFile[], b: readonly CachedFile[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    if (a[index]!.path !== b[index]!.path || a[index]!.parsed !== b[index]!.parsed || a[index]!.issues !== b[index]!.issues) return false;
  }
  return true;
}

function teamNames(workspaces: readonly Workspace[], workspaceId: string): Map<string, string> {
  const workspace = workspaces.find((candidate) => candidate.settings.id === workspaceId);
  const names = new Map<string, string>();
  for (const team of workspace?.teams ?? []) if (team.oktaGroupId !== undefined) names.set(team.oktaGroupId, team.name);
  return names;
}

function firstWriteSummary(workspace: DesiredWorkspace, appeared: boolean): string {
  const chiclets = workspace.chiclets.length;
  return `${appeared ? "new stack" : "stack written"}: ${chiclets} chiclet${chiclets === 1 ? "" : "s"}, ${workspace.people.length} ${workspace.people.length === 1 ? "person" : "people"} assigned directly, ${workspace.rejected.length} rejected (${printable(workspace.name)})`;
}

function capped(lines: readonly string[], max: number): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `... and ${lines.length - max} more`];
}

function timestamp(date = new Date()): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `[${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}]`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function defaultLog(text: string, level: LogLevel): void {
  (level === "error" ? process.stderr : process.stdout).write(`${text}\n`);
}
