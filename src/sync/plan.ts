// `plan`: synthesize, then for each stack `terraform init`, `plan -out` and
// `show -json`; read the plan in Okta terms and save it for `apply`. A first
// sync (no state yet) is checked against what Okta already holds, so that it
// never duplicates apps made before (by hand, by Cerby's own sync, or under a
// lost state).
import { ensureFolder } from "../files/ensure-folder.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { DesiredState, DesiredWorkspace } from "../domain/desired-state.ts";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { STACK_DATA_FILE, type StackData } from "../stack/stack-data.ts";
import { isFirstSync, lookedUpUsers, readPlan } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { ProgressMeter } from "../terraform/progress.ts";
import type { ExistingObjects } from "../okta-api/org-objects.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";
import { CAPACITY_VARIABLE } from "../stack/names.ts";
import type { StackUnit } from "../stack/shards.ts";
import { readStatus } from "./status.ts";
import { refuseUnmovedShards } from "./reshard.ts";
import { clearPlans, planFile, savePlan, savePlanSet, stackDir, stackFingerprint, type SavedPlan, type StackFingerprint, type SyncPaths } from "./saved-plans.ts";
import { compareText } from "../text/printable.ts";

export type Log = (message: string) => void;

/** Reads what the workspace's Okta org holds; undefined when it cannot be reached (then a first sync is refused). */
export type ExistingObjectsReader = (workspace: DesiredWorkspace) => Promise<ExistingObjects>;

export interface PlanOptions {
  readonly refresh: boolean;
  readonly log: Log;
  readonly workspacesDir: string;
  /** How a first sync learns what Okta holds; absent means the check was turned off. */
  readonly existingObjects?: ExistingObjectsReader;
  /** Stacks planned at once (default 1); each gets its share of its workspace's rate-limit capacity. */
  readonly parallel?: number;
  /** Plan every stack, even one unchanged since its last successful apply here. */
  readonly all?: boolean;
}

/**
 * The stacks to plan: every synced workspace's (its shards, when sharded), or
 * only those named, by workspace or stack ID. Unknown names are a usage error.
 */
export function selectStacks(state: DesiredState, stacks: readonly StackUnit[], only: readonly string[] | undefined): StackUnit[] {
  if (!only || only.length === 0) return [...stacks];
  const unknown = only.filter((name) => !stacks.some((stack) => stack.id === name || stack.workspaceId === name));
  if (unknown.length > 0) {
    const synced = [...new Set(stacks.map((stack) => stack.workspaceId))];
    const off = unknown.filter((name) => state.workspaces.some((workspace) => workspace.id === name && !workspace.synced));
    throw new UsageError(
      `no synced workspace or stack named ${unknown.join(", ")} (synced: ${synced.join(", ") || "none"}${off.length > 0 ? `; Extended account access is off for ${off.join(", ")}` : ""})`,
    );
  }
  return stacks.filter((stack) => only.includes(stack.id) || only.includes(stack.workspaceId));
}

/**
 * Plans the given stacks, already synthesized into `paths.outDir` by the
 * pipeline, and saves the plan set. A stack whose configuration and data are
 * what was last applied successfully is not planned at all: no Terraform run,
 * no Okta request (R8); `reconcile` (a refresh) and `--all` plan every stack.
 */
export async function planStacks(state: DesiredState, stacks: readonly StackUnit[], terraform: Terraform, paths: SyncPaths, options: PlanOptions): Promise<SavedPlan[]> {
  await refuseUnmovedShards(paths.stateDir, stacks);
  await clearPlans(paths);
  const notSynced = state.workspaces.filter((workspace) => !workspace.synced).map((workspace) => workspace.id);
  for (const id of notSynced) options.log(`${id}: not planned, Extended account access is off (Okta keeps what it has, R1)`);
  const parallel = Math.max(1, options.parallel ?? 1);
  let unchanged = 0;
  const saved = await inPool(stacks, parallel, async (unit, position) => {
    const prefix = `[${position + 1}/${stacks.length}] ${unit.id}`;
    const { fingerprint, changed } = await changedSinceApply(paths, unit.id);
    if (!options.refresh && !options.all && !changed) {
      unchanged++;
      const plan = unchangedPlan(stackInput(unit), fingerprint);
      await savePlan(paths, plan); // listed in the plan set like any other, so that apply finds it
      return plan;
    }
    const started = Date.now();
    options.log(`${prefix}: init, ${options.refresh ? "refresh and plan" : "plan (no refresh)"}`);
    const plan = await planStack(stackInput(unit), terraform, paths, {
      refresh: options.refresh,
      init: true,
      existingObjects: options.existingObjects,
      vars: parallel > 1 ? { [CAPACITY_VARIABLE]: String(capacityShare(unit, parallel)) } : undefined,
      progress: { prefix, log: options.log },
    });
    options.log(`${prefix}: ${plan.report.hasChanges ? "changes planned" : "no changes"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return plan;
  });
  if (unchanged > 0) options.log(`${unchanged} of ${stacks.length} stack${stacks.length === 1 ? "" : "s"} unchanged since the last apply: not planned (plan --all plans them; reconcile refreshes them)`);
  await savePlanSet(paths, {
    version: 1,
    plannedAt: new Date().toISOString(),
    refreshed: options.refresh,
    outDir: paths.outDir,
    workspacesDir: path.resolve(options.workspacesDir),
    stacks: saved.map((plan) => plan.stack),
    notSynced,
    parallel,
  });
  return saved;
}

/** A stack's share of its workspace's rate-limit capacity when `parallel` stacks run at once (at least 1%). */
export function capacityShare(workspace: DesiredWorkspace, parallel: number): number {
  return Math.max(1, Math.floor((workspace.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity) / parallel));
}

/** Runs `work` on every item, at most `limit` at once; results in the items' order. A failure stops new work and is thrown once the running ones end. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** What planning a stack needs to know of its workspace. */
export interface StackInput {
  readonly id: string;
  readonly workspaceId: string;
  /** The workspace's shard count (1: not sharded). */
  readonly shards?: number;
  /** Cerby user ID -> Okta user ID, for naming people in the report. */
  readonly knownOktaUserIds: Readonly<Record<string, string>>;
  /** For the status record (R9). */
  readonly accounts: SavedPlan["accounts"];
  /** For the first-sync check; absent when re-planning from saved plans. */
  readonly workspace?: DesiredWorkspace;
}

export function stackInput(unit: DesiredWorkspace & { readonly workspaceId?: string; readonly shard?: { readonly count: number } }): StackInput {
  return {
    id: unit.id,
    workspaceId: unit.workspaceId ?? unit.id,
    shards: unit.shard?.count ?? 1,
    knownOktaUserIds: unit.knownOktaUserIds,
    accounts: Object.fromEntries(unit.chiclets.map((chiclet) => [chiclet.accountId, { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt }])),
    workspace: unit,
  };
}

/** The plan of a stack that is what was last applied: nothing to do, nothing run. */
function unchangedPlan(input: StackInput, fingerprint: StackFingerprint): SavedPlan {
  return {
    stack: input.id,
    workspaceId: input.workspaceId,
    shards: input.shards,
    plannedAt: new Date().toISOString(),
    refreshed: false,
    unchangedSinceApply: true,
    report: readPlan(input.id, { format_version: "1.2", resource_changes: [] }),
    accounts: input.accounts,
    stackDigest: fingerprint.digest,
    settledDigest: fingerprint.settled,
  };
}

/**
 * Plans one stack already synthesized into `paths.outDir` and saves the plan
 * where `apply` looks for it. `init: false` when the caller knows the stack
 * folder is initialized (the watcher).
 */
export async function planStack(
  input: StackInput,
  terraform: Terraform,
  paths: SyncPaths,
  options: {
    refresh: boolean;
    init: boolean;
    existingObjects?: ExistingObjectsReader;
    vars?: Readonly<Record<string, string>>;
    /** Say how far the plan got, every few seconds, on this log. */
    progress?: { prefix: string; log: Log };
  },
): Promise<SavedPlan> {
  const stack = input.id;
  const dir = stackDir(paths, stack);
  if (options.init) await terraform.init(dir);
  await ensureFolder(path.dirname(planFile(paths, stack)));
  const meter = options.progress && new ProgressMeter({ ...options.progress, step: "planning" }).start();
  try {
    await terraform.plan(dir, { out: planFile(paths, stack), refresh: options.refresh, vars: options.vars, onProgress: meter && ((kind) => meter.count(kind)) });
  } finally {
    meter?.stop();
  }
  const planJson = await terraform.showPlan(dir, planFile(paths, stack));
  const data = JSON.parse(await readFile(path.join(dir, STACK_DATA_FILE), "utf8")) as StackData;
  const people = await rememberPeople(paths, stack, input.knownOktaUserIds, planJson);
  const labels = new Map(Object.entries(data.apps).map(([accountId, app]) => [accountId, app.label]));
  const report = readPlan(stack, planJson, { oktaToCerby: people, labels });
  if (isFirstSync(report) && input.workspace) await checkFirstSync(input.workspace, data, options.existingObjects, input);
  const fingerprint = await stackFingerprint(paths, stack);
  const plan: SavedPlan = {
    stack,
    workspaceId: input.workspaceId,
    shards: input.shards,
    plannedAt: new Date().toISOString(),
    refreshed: options.refresh,
    report,
    accounts: input.accounts,
    stackDigest: fingerprint.digest,
    settledDigest: fingerprint.settled,
  };
  await savePlan(paths, plan);
  return plan;
}


/** How many existing objects a refusal lists before "... and N more". */
const LISTED = 10;

async function checkFirstSync(workspace: DesiredWorkspace, data: StackData, reader: ExistingObjectsReader | undefined, stack: Pick<StackInput, "workspaceId" | "shards">): Promise<void> {
  if (!reader) return;
  const existing = await reader(workspace);
  const adopted = new Set(Object.keys(data.adopt.apps));
  const adoptedGroups = new Set(Object.keys(data.adopt.accessGroups));
  const clashes: string[] = [];
  for (const [accountId, app] of Object.entries(data.apps)) {
    const ids = existing.appsByLabel.get(app.label);
    if (ids && !adopted.has(accountId)) clashes.push(`app "${app.label}" (account ${accountId}) exists as ${ids.join(", ")}`);
  }
  for (const [accountId, group] of Object.entries(data.accessGroups)) {
    const id = existing.groupsByName.get(group.name);
    if (id && !adoptedGroups.has(accountId)) clashes.push(`group ${group.name} exists as ${id}`);
  }
  if (clashes.length === 0) return;
  clashes.sort(compareText);
  throw new UsageError(
    `${workspace.id}: this is the stack's first sync (its state holds no app), but Okta already holds ${clashes.length} of the objects it would create:\n` +
      clashes.slice(0, LISTED).map((clash) => `  ${clash}`).join("\n") +
      (clashes.length > LISTED ? `\n  ... and ${clashes.length - LISTED} more` : "") +
      `\nCreating them again would duplicate chiclets. To take the existing ones under management without changing them, run \`cerby-okta adopt --stack ${workspace.id}\`, then plan again. ` +
      `If the state was moved, point cerby-okta.yaml at it instead. ` +
      // A workspace synced before in another layout (elsewhere, unrecorded here) looks new to each new stack.
      ((stack.shards ?? 1) > 1
        ? `If workspace ${stack.workspaceId} was synced before with another shard count (from another machine, or by \`cdktf deploy\`), its apps are in those stacks' states: set \`shards:\` in cerby-okta.yaml to that count (1 for one stack), then \`cerby-okta reshard\` if it should change. `
        : "") +
      `Nothing was saved for apply.`,
  );
}

/**
 * Okta user ID -> Cerby user ID: from the workspace, from the logins Terraform
 * looked up, and from earlier plans, so that someone who just lost access
 * (and is no longer looked up) is still named.
 */
export async function rememberPeople(paths: SyncPaths, stack: string, knownOktaUserIds: Readonly<Record<string, string>>, planJson?: unknown): Promise<Map<string, string>> {
  const file = path.join(paths.stateDir, "people", `${stack}.json`);
  let remembered: Record<string, string> = {};
  try {
    remembered = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch {
    // First plan of this stack.
  }
  const map = new Map<string, string>(Object.entries(remembered));
  for (const [cerbyId, oktaId] of Object.entries(knownOktaUserIds)) map.set(oktaId, cerbyId);
  if (planJson !== undefined) for (const [oktaId, cerbyId] of lookedUpUsers(planJson)) map.set(oktaId, cerbyId);
  await ensureFolder(path.dirname(file));
  const sorted = [...map].sort(([a], [b]) => compareText(a, b));
  const record = Object.create(null) as Record<string, string>;
  for (const [oktaId, cerbyId] of sorted) record[oktaId] = cerbyId;
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  return map;
}

/**
 * Whether a stack needs Terraform: its configuration or data differ from
 * what its last apply here applied, or it has objects to import. `plan`
 * skips the others; `shards --changed` lists these.
 */
export async function changedSinceApply(paths: SyncPaths, stack: string): Promise<{ fingerprint: StackFingerprint; changed: boolean }> {
  const fingerprint = await stackFingerprint(paths, stack);
  return { fingerprint, changed: fingerprint.importing || (await readStatus(paths.stateDir, stack))?.appliedDigest !== fingerprint.settled };
}
