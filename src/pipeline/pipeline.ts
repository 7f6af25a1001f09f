// The one pipeline every command runs:
//   workspace folders -> checked workspaces -> desired state -> stack data -> stack folders
// `synth` (and `plan`, `adopt`, `migrate-state`, `cdktf synth`) runs it once,
// with empty caches. The watcher keeps one and runs it on every change: then
// only files that changed are read again, only Okta orgs whose workspaces
// changed are decided again, and only stacks whose configuration or data
// changed are written again. Same steps, same results: a cache only skips
// work whose result would be the same.
import type { DesiredState, DesiredWorkspace } from "../domain/desired-state.ts";
import { DesiredByOrg } from "../domain/desired-by-org.ts";
import { InputError, type InputIssue } from "../errors.ts";
import type { ProtectedPaths } from "../stack/out-dir.ts";
import { chooseShardCounts, stackUnits, type ShardChoice, type StackUnit } from "../stack/shards.ts";
import type { StackSynthesizer } from "../stack/synthesizer.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { readOnce, shownIssues, WorkspaceReader, type ReadResult } from "../workspace/load.ts";
import type { Workspace } from "../workspace/model.ts";

export interface PipelineOptions {
  readonly workspacesDir: string;
  readonly outDir: string;
  readonly stackOptions?: StackOptions;
  /** What the output folder must never replace. */
  readonly protectedPaths?: ProtectedPaths;
  /** Keep caches from run to run (the watcher). Without, each run starts empty and removes stacks of workspaces no longer synced. */
  readonly incremental?: boolean;
  /** `migrate-state` only: write stacks whose backend changed. */
  readonly allowBackendChange?: boolean;
  /** Shards per workspace ID (cerby-okta.yaml `shards:`); absent or 1: one stack. */
  readonly shardCounts?: ReadonlyMap<string, number>;
  /** Write only these stacks, leaving every other stack folder as it is (`migrate-state --stack`). */
  readonly onlyStacks?: ReadonlySet<string>;
  /**
   * Turns on automatic sharding: reads the shard counts the given workspaces'
   * stacks were applied with (src/sync/shard-history.ts). A workspace neither
   * under `shards:` nor in use has never synced: it gets the advised count.
   * Without it, a workspace not under `shards:` is one stack.
   */
  readonly shardsInUse?: (workspaceIds: readonly string[]) => Promise<ReadonlyMap<string, readonly number[]>>;
}

export interface PipelineRun {
  /** `unchanged`: nothing read differs from the last good run; `invalid`: input problems, nothing written. */
  readonly outcome: "ok" | "unchanged" | "invalid";
  readonly issues: readonly InputIssue[];
  /** Files whose text was parsed, as shown in messages. */
  readonly filesParsed: readonly string[];
  /** The workspaces read (with their folders), when the input is valid. */
  readonly workspaces: readonly Workspace[];
  /** Sorted by workspace ID; empty when the input is not valid. */
  readonly desired: DesiredState;
  /** The stacks of the synced workspaces (one per workspace, or its shards), in order. */
  readonly stacks: readonly StackUnit[];
  /** Each synced workspace's shard count and where it came from. */
  readonly shardChoices: readonly ShardChoice[];
  /** Stack IDs written by this run. */
  readonly written: readonly string[];
  /** Milliseconds spent reading, deciding and writing. */
  readonly phases: { read: number; desired: number; write: number };
}

export class Pipeline {
  private readonly reader: WorkspaceReader | undefined;
  private readonly decide = new DesiredByOrg();
  private synthesizer: StackSynthesizer | undefined;
  /** Whether the last run wrote everything it read: an unchanged input then needs nothing. */
  private inStep = false;

  constructor(readonly options: PipelineOptions) {
    this.reader = options.incremental ? new WorkspaceReader(options.workspacesDir) : undefined;
  }

  /** Reads (files in `changed` whatever their stamps), decides and writes. Throws SyncAborted when `signal` fires before the swap. */
  async run(options: { changed?: ReadonlySet<string>; signal?: AbortSignal; write?: boolean } = {}): Promise<PipelineRun> {
    let mark = performance.now();
    const lap = () => {
      const now = performance.now();
      const spent = now - mark;
      mark = now;
      return spent;
    };
    const read: ReadResult = this.reader ? await this.reader.read(options.changed) : await readOnce(this.options.workspacesDir);
    const phases = { read: lap(), desired: 0, write: 0 };
    const nothing = { desired: { workspaces: [] }, stacks: [], shardChoices: [], written: [], workspaces: [] };
    if (read.issues.length > 0) {
      this.inStep = false;
      return { outcome: "invalid", issues: read.issues, filesParsed: read.filesParsed, phases, ...nothing };
    }
    if (!read.changed && this.inStep) return { outcome: "unchanged", issues: [], filesParsed: read.filesParsed, phases, ...nothing, workspaces: read.workspaces };
    this.inStep = false;
    const desired: DesiredWorkspace[] = this.decide.compute(read.workspaces);
    const inUse = this.options.shardsInUse && (await this.options.shardsInUse(desired.filter((workspace) => workspace.synced).map((workspace) => workspace.id)));
    const shardChoices = chooseShardCounts(desired, this.options.shardCounts ?? new Map(), inUse ?? new Map());
    const counts = this.options.shardsInUse ? new Map(shardChoices.map((choice) => [choice.workspaceId, choice.count])) : this.options.shardCounts;
    const stacks = stackUnits(desired, counts);
    phases.desired = lap();
    let written: string[] = [];
    if (options.write !== false) {
      const only = this.options.onlyStacks;
      written = await (await this.stackSynthesizer()).write(only ? stacks.filter((stack) => only.has(stack.id)) : stacks, { prune: !this.options.incremental && !only, signal: options.signal });
      phases.write = lap();
    }
    this.inStep = true;
    return { outcome: "ok", issues: [], filesParsed: read.filesParsed, workspaces: read.workspaces, desired: { workspaces: desired }, stacks, shardChoices, written, phases };
  }

  /** Cleans up staging folders left by a crash (the watcher, at start). */
  async recover(): Promise<void> {
    await (await this.stackSynthesizer()).recover();
  }

  private async stackSynthesizer(): Promise<StackSynthesizer> {
    if (!this.synthesizer) {
      // cdktf takes a while to load: only paid for when stacks are written.
      const { StackSynthesizer } = await import("../stack/synthesizer.ts");
      this.synthesizer = new StackSynthesizer({
        outDir: this.options.outDir,
        stackOptions: this.options.stackOptions,
        protectedPaths: this.options.protectedPaths,
        allowBackendChange: this.options.allowBackendChange,
        reuseOnDisk: !this.options.incremental,
      });
    }
    return this.synthesizer;
  }
}

/** The pipeline once, with empty caches: every synced workspace's stack written. Throws InputError listing every problem. */
export async function synthesize(options: Omit<PipelineOptions, "incremental">): Promise<PipelineRun> {
  const run = await new Pipeline(options).run();
  if (run.outcome === "invalid") throw new InputError(shownIssues(options.workspacesDir, run.issues));
  return run;
}

/** The pipeline up to the desired state and its stacks, writing nothing (`preview`). Throws InputError listing every problem. */
export async function decide(workspacesDir: string, shardCounts?: ReadonlyMap<string, number>, shardsInUse?: PipelineOptions["shardsInUse"]): Promise<PipelineRun> {
  const run = await new Pipeline({ workspacesDir, outDir: "", shardCounts, shardsInUse }).run({ write: false });
  if (run.outcome === "invalid") throw new InputError(shownIssues(workspacesDir, run.issues));
  return run;
}
