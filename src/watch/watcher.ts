// Watch mode: run the pipeline again on every change to the workspace
// folders, fast, and never die on a bad edit. Usable without the CLI:
//
//   const watcher = startWatcher({ workspacesDir, outDir });
//   watcher.onSync((report) => ...);
//   await watcher.ready;          // watching, and the first sync is done
//   ...
//   await watcher.stop();         // in-flight sync finished or dropped whole
//
// This file is only the watching: file events, debouncing (a burst of writes,
// an editor's save or a `git checkout` becomes one sync; events during a sync
// fold into the next), one sync at a time, what to say about each, and the
// stop. Reading, deciding and writing are the pipeline's (src/pipeline), the
// same as `synth`, with its caches kept from sync to sync. A bad edit keeps
// the last good output in place until an edit fixes it. When the workspaces
// folder itself disappears, the watch waits for it to come back.
import { watch, type FSWatcher } from "chokidar";
import { stat } from "node:fs/promises";
import path from "node:path";
import { describeChanges, diffDesired } from "../domain/changes.ts";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { namingOf } from "../domain/readers.ts";
import { formatIssue, SyncAborted, UsageError, type InputIssue } from "../errors.ts";
import { Pipeline, type PipelineOptions, type PipelineRun } from "../pipeline/pipeline.ts";
import type { ProtectedPaths } from "../stack/out-dir.ts";
import type { StackUnit } from "../stack/shards.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { printable } from "../text/printable.ts";
import { displayPath } from "../workspace/display-path.ts";

/**
 * Plans and applies the given stacks (folders `<out>/stacks/<id>`). Must stop
 * the Terraform run and reject when `signal` fires. `written` holds the
 * desired state each stack was last written from. The CLI wires it to the
 * Terraform commands (src/watch/apply.ts).
 */
export type ApplyStacks = (stackIds: string[], signal: AbortSignal, written: ReadonlyMap<string, StackUnit>) => Promise<void>;

export type LogLevel = "info" | "notice" | "error";
export type WatchLog = (text: string, level: LogLevel) => void;

export interface WatchOptions {
  readonly workspacesDir: string;
  readonly outDir: string;
  /** Quiet time after the last file event before a sync starts. Default 50 ms. */
  readonly debounceMs?: number;
  /** A sync starts at the latest this long after the first event of a burst. Default 1000 ms. */
  readonly maxWaitMs?: number;
  /** How often to look for a workspaces folder that disappeared. Default 1000 ms. */
  readonly rootPollMs?: number;
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
  /** Shards per workspace ID (cerby-okta.yaml `shards:`), as `synth` and `plan` use them. */
  readonly shardCounts?: ReadonlyMap<string, number>;
  /** The shard counts workspaces not under `shards:` were applied with (automatic sharding), as `plan` reads them. */
  readonly shardsInUse?: PipelineOptions["shardsInUse"];
  /** Taken for each sync (writing stacks, and applying them): the project lock, so that no other command plans or applies meanwhile. */
  readonly lock?: (signal: AbortSignal) => Promise<{ release(): Promise<void> }>;
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
  /** Milliseconds spent reading and checking files, deciding the desired state, and writing stacks. */
  readonly phases: PipelineRun["phases"];
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

export function startWatcher(options: WatchOptions): Watcher {
  return new WatchSession(options).start();
}

type Phase = "idle" | "syncing" | "applying";

class WatchSession {
  private readonly root: string;
  private readonly log: WatchLog;
  private readonly pipeline: Pipeline;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<(report: SyncReport) => void>();
  private readonly startListeners = new Set<(seq: number) => void>();
  /** What each stack was last written from; the base of the change lines, and what --apply plans. */
  private readonly written = new Map<string, StackUnit>();
  /** Each workspace of the last valid input, with its folder. */
  private seen = new Map<string, { folder: string; desired: DesiredWorkspace }>();
  private readonly pendingApply = new Set<string>();
  private readonly dirty = new Set<string>();
  private fsWatcher: FSWatcher | undefined;
  private rootPoll: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private burstStartedAt: number | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private seq = 0;
  private stopping = false;
  private phase: Phase = "idle";
  private lastOutcome: SyncOutcome | undefined;
  private stopResult: Promise<StopResult> | undefined;
  private ready!: Promise<void>;

  constructor(private readonly options: WatchOptions) {
    this.root = path.resolve(options.workspacesDir);
    this.log = options.log ?? defaultLog;
    this.pipeline = new Pipeline({
      workspacesDir: this.root,
      outDir: options.outDir,
      stackOptions: options.stackOptions,
      protectedPaths: options.protectedPaths ?? { keep: [{ path: this.root, what: "the workspaces folder" }] },
      shardCounts: options.shardCounts,
      shardsInUse: options.shardsInUse,
      incremental: true,
    });
  }

  start(): Watcher {
    this.ready = this.begin();
    // `ready` may be awaited late or never: its rejection is reported there.
    this.ready.catch(() => undefined);
    return {
      ready: this.ready,
      onSync: (listener) => this.subscribe(this.listeners, listener),
      onSyncStart: (listener) => this.subscribe(this.startListeners, listener),
      stop: () => (this.stopResult ??= this.halt()),
    };
  }

  private subscribe<T>(set: Set<T>, listener: T): () => void {
    set.add(listener);
    return () => set.delete(listener);
  }

  private async begin(): Promise<void> {
    let rootStats;
    try {
      rootStats = await stat(this.root);
    } catch (error) {
      throw new UsageError(`cannot read the workspaces folder ${displayPath(this.root)}: ${(error as Error).message}`, { cause: error });
    }
    if (!rootStats.isDirectory()) throw new UsageError(`the workspaces folder ${displayPath(this.root)} is not a folder`);
    await this.pipeline.recover();
    if (this.stopping) return;
    await this.watchRoot();
    if (this.stopping) return;
    this.kick();
    await this.running;
  }

  private async watchRoot(): Promise<void> {
    const root = this.root;
    const watcher = watch(root, {
      ignoreInitial: true,
      depth: 1,
      ignored: (file, stats) => {
        const relative = path.relative(root, file);
        if (relative === "") return false;
        if (relative.split(path.sep).some((part) => part.startsWith("."))) return true;
        return stats?.isFile() === true && !/\.(ya?ml|json)$/i.test(file);
      },
    });
    this.fsWatcher = watcher;
    for (const event of ["add", "change", "unlink", "addDir", "unlinkDir"] as const) {
      watcher.on(event, (file: string) => {
        this.dirty.add(path.resolve(file));
        this.schedule();
      });
    }
    watcher.on("error", (error) => this.log(`${timestamp()} file watcher: ${(error as Error).message ?? String(error)}`, "error"));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  }

  /** The workspaces folder is gone: keep the last good output, and look for the folder every second. */
  private waitForRoot(): void {
    if (this.rootPoll || this.stopping) return;
    this.log(`${timestamp()} the workspaces folder ${displayPath(this.root)} is gone; the last good output stays in place; waiting for it to come back (Ctrl-C to stop)`, "notice");
    void this.fsWatcher?.close();
    this.fsWatcher = undefined;
    this.rootPoll = setInterval(() => {
      void stat(this.root).then(
        async (stats) => {
          if (!stats.isDirectory() || !this.rootPoll || this.stopping) return;
          clearInterval(this.rootPoll);
          this.rootPoll = undefined;
          this.log(`${timestamp()} the workspaces folder ${displayPath(this.root)} is back`, "notice");
          await this.watchRoot();
          this.kick();
        },
        () => undefined,
      );
    }, this.options.rootPollMs ?? 1000);
  }

  private schedule(): void {
    if (this.stopping) return;
    const now = Date.now();
    this.burstStartedAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.options.debounceMs ?? 50, this.burstStartedAt + (this.options.maxWaitMs ?? 1000) - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.burstStartedAt = undefined;
      this.kick();
    }, wait);
  }

  private kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const batch = new Set(this.dirty);
          this.dirty.clear();
          await this.syncOnce(batch);
        } while (this.again && !this.stopping);
      } finally {
        this.running = undefined;
      }
    })();
  }

  private async syncOnce(batch: ReadonlySet<string>): Promise<void> {
    const seq = ++this.seq;
    const initial = seq === 1;
    const startedAt = new Date();
    const start = performance.now();
    let run: PipelineRun | undefined;
    let outcome: SyncOutcome = "ok";
    let error: string | undefined;
    let durationMs = 0;
    const applied: string[] = [];
    const changes: string[] = [];
    const notices: string[] = [];
    this.phase = "syncing";
    let lock: { release(): Promise<void> } | undefined;
    try {
      for (const listener of this.startListeners) listener(seq);
      lock = await this.options.lock?.(this.abort.signal);
      run = await this.pipeline.run({ changed: batch, signal: this.abort.signal });
      durationMs = performance.now() - start;
      if (run.outcome !== "ok") {
        outcome = run.outcome;
        return;
      }
      this.describe(run, initial, changes, notices);
      this.log([`${timestamp(startedAt)} sync #${seq}${initial ? " (first)" : ""}${this.lastOutcome === "invalid" ? " (input valid again)" : ""} done in ${formatMs(durationMs)}: ${run.written.length === 0 ? "no stack changed" : `wrote ${run.written.join(", ")}`}`, ...changes.map((line) => `  ${line}`)].join("\n"), "info");
      for (const notice of notices) this.log(`  notice: ${notice}`, "notice");
      if (this.options.applyStacks && this.pendingApply.size > 0 && !this.abort.signal.aborted) {
        this.phase = "applying";
        const ids = [...this.pendingApply].sort();
        const applyStart = performance.now();
        this.log(`${timestamp()} applying ${ids.join(", ")} ...`, "info");
        await this.options.applyStacks(ids, this.abort.signal, this.written);
        for (const id of ids) this.pendingApply.delete(id);
        applied.push(...ids);
        this.log(`${timestamp()} applied ${ids.join(", ")} in ${formatMs(performance.now() - applyStart)}`, "info");
      }
    } catch (caught) {
      const applying = this.phase === "applying";
      if (caught instanceof SyncAborted || this.abort.signal.aborted) {
        outcome = "aborted";
        error = applying ? "the Terraform run was stopped; the stacks will be applied again at the next start" : "stopped before the new output was swapped in";
      } else {
        outcome = "failed";
        error = `${applying ? "applying: " : run ? "" : "reading or writing: "}${describeError(caught)}`;
        if (applying) error += `; ${[...this.pendingApply].sort().join(", ")} stay pending and are planned again after the next change`;
        else for (const file of batch) this.dirty.add(file);
        if (!applying && !run && !(await isFolder(this.root))) this.waitForRoot();
      }
    } finally {
      await lock?.release();
      const applying = this.phase === "applying";
      this.phase = "idle";
      if (durationMs === 0) durationMs = performance.now() - start;
      this.report(seq, outcome, error, applying, run?.issues ?? []);
      if (outcome !== "unchanged") this.lastOutcome = outcome;
      const report: SyncReport = {
        seq,
        initial,
        startedAt,
        durationMs,
        outcome,
        issues: run?.issues ?? [],
        error,
        filesParsed: run?.filesParsed ?? [],
        written: outcome === "ok" || (outcome === "failed" && applying) ? (run?.written ?? []) : [],
        applied,
        changes,
        phases: run?.phases ?? { read: 0, desired: 0, write: 0 },
      };
      for (const listener of this.listeners) {
        try {
          listener(report);
        } catch (listenerError) {
          this.log(`a sync listener failed: ${(listenerError as Error).message}`, "error");
        }
      }
    }
  }

  /** Lines in Okta terms for each stack written, and notices for workspaces switched off or gone. */
  private describe(run: PipelineRun, initial: boolean, changes: string[], notices: string[]): void {
    const maxLines = this.options.maxChangeLines ?? 40;
    const stacksDir = path.join(path.resolve(this.options.outDir), "stacks");
    const now = new Map(run.desired.workspaces.map((workspace) => [workspace.id, workspace]));
    const stacks = new Map(run.stacks.map((stack) => [stack.id, stack]));
    const folders = new Map(run.workspaces.map((workspace) => [workspace.settings.id, workspace.folder]));
    for (const id of run.written) {
      const workspace = stacks.get(id)!;
      const before = this.written.get(id);
      const lines = initial || !before ? [firstWriteSummary(workspace, before === undefined && !initial)] : describeChanges(diffDesired(before, workspace), namingOf(workspace.names));
      changes.push(...capped(lines, maxLines).map((line) => `${id}: ${line}`));
      this.written.set(id, workspace);
      this.pendingApply.add(id);
    }
    for (const workspace of run.desired.workspaces) {
      const before = this.seen.get(workspace.id)?.desired;
      changes.push(...capped(newWarnings(initial ? undefined : before, workspace), maxLines).map((line) => `${workspace.id}: ${line}`));
      const hadStacks = [...this.written.values()].some((stack) => stack.workspaceId === workspace.id);
      if (!workspace.synced && hadStacks && (before === undefined || before.synced)) {
        notices.push(`${workspace.id}: Extended account access is off: its stack in ${displayPath(path.join(stacksDir, workspace.id))} is left as it was and no longer updated; Okta keeps what it has (R1)`);
      }
    }
    for (const [id, before] of this.seen) {
      if (now.has(id)) continue;
      notices.push(
        [...this.written.values()].some((stack) => stack.workspaceId === id)
          ? `${id}: its workspace folder ${before.folder} is gone (or now holds another ID): the stack in ${displayPath(path.join(stacksDir, id))} is left in place, and Okta keeps its apps; removing them is an explicit decision (delete the stack with Terraform)`
          : `${id}: its workspace folder ${before.folder} is gone`,
      );
    }
    this.seen = new Map(run.desired.workspaces.map((workspace) => [workspace.id, { folder: folders.get(workspace.id) ?? workspace.id, desired: workspace }]));
  }

  private report(seq: number, outcome: SyncOutcome, error: string | undefined, applying: boolean, issues: readonly InputIssue[]): void {
    if (outcome === "invalid") {
      this.log(
        `${timestamp()} sync #${seq}: ${issues.length} problem${issues.length === 1 ? "" : "s"} in the workspace input; the last good output stays in place:\n` +
          issues.map((issue) => `  ${formatIssue(issue)}`).join("\n"),
        "error",
      );
    } else if (outcome === "failed") {
      const retry = applying ? "" : `${this.written.size > 0 ? "; the last good output stays in place" : ""}; will retry on the next change`;
      this.log(`${timestamp()} sync #${seq} failed: ${error}${retry}`, "error");
    } else if (outcome === "aborted") {
      this.log(`${timestamp()} sync #${seq} stopped: ${error}`, "notice");
    }
  }

  private async halt(): Promise<StopResult> {
    this.stopping = true;
    const inFlight = this.phase;
    if (this.timer) clearTimeout(this.timer);
    if (this.rootPoll) clearInterval(this.rootPoll);
    this.abort.abort();
    let result: StopResult = { syncInterrupted: false, applyInterrupted: false };
    const listener = (report: SyncReport) => {
      if (report.outcome === "aborted") result = { syncInterrupted: inFlight !== "applying", applyInterrupted: inFlight === "applying" };
    };
    this.listeners.add(listener);
    await this.ready.catch(() => undefined);
    await this.fsWatcher?.close();
    while (this.running) await this.running;
    this.listeners.delete(listener);
    return result;
  }
}

/** New rejections and warnings, worth a line each. */
function newWarnings(before: DesiredWorkspace | undefined, after: DesiredWorkspace): string[] {
  const old = new Set((before?.rejected ?? []).map((rejection) => `${rejection.accountId}\u0000${rejection.reason}`));
  const lines = after.rejected
    .filter((rejection) => !old.has(`${rejection.accountId}\u0000${rejection.reason}`))
    .map((rejection) => `! account ${printable(rejection.accountId)} rejected: ${printable(rejection.reason, 300)}`);
  const oldWarnings = new Set(before?.warnings ?? []);
  // Warnings are our own sentences; the input text in them is already printable.
  for (const warning of after.warnings) if (!oldWarnings.has(warning)) lines.push(`! ${warning}`);
  return lines;
}

function firstWriteSummary(workspace: DesiredWorkspace, appeared: boolean): string {
  const chiclets = workspace.chiclets.length;
  return `${appeared ? "new stack" : "stack written"}: ${chiclets} chiclet${chiclets === 1 ? "" : "s"}, ${workspace.people.length} ${workspace.people.length === 1 ? "person" : "people"} assigned directly, ${workspace.rejected.length} rejected (${printable(workspace.name)})`;
}

async function isFolder(folder: string): Promise<boolean> {
  return stat(folder).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
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
