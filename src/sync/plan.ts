// `plan`: synthesize, then for each stack `terraform init`, `plan -out` and
// `show -json`; read the plan in Okta terms and save it for `apply`. Every app
// and access group a plan would create is checked against what Okta already
// holds (create-check.ts), so that no sync duplicates what a lost, stale or
// truncated state forgot.
import { ensureFolder } from "../files/ensure-folder.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { oktaOrgKey, type DesiredState, type DesiredWorkspace } from "../domain/desired-state.ts";
import type { StackReaders } from "../domain/readers.ts";
import { UsageError } from "../errors.ts";
import { STACK_DATA_FILE, type StackData } from "../stack/stack-data.ts";
import { readPlan } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { ProgressMeter } from "../terraform/progress.ts";
import { checkCreates, dropStaleAdoptions, type CreateCheck } from "./create-check.ts";
import { currentState, refuseUnreadableState } from "./stack-states.ts";
import type { StackUnit } from "../stack/shards.ts";
import { appliedInState, STACK_READS_AT_ONCE } from "./state-status.ts";
import { inPool, Limiter } from "../limiter.ts";
import { DecisionMemo } from "./decision-memo.ts";
import { refuseUnmovedShards } from "./reshard.ts";
import { clearPlans, fingerprintOf, planFile, planFileSha256, readStackFiles, savePlan, savePlanSet, stackDir, stackFingerprint, type PlanSet, type SavedPlan, type StackFingerprint, type SyncPaths } from "./saved-plans.ts";
import { settleStackData, withOktaFindings, type OktaChecks } from "./okta-checks.ts";
import { rememberPeople } from "./people-record.ts";
import { restoreHeldLogins } from "./held-logins.ts";

export type Log = (message: string) => void;

export interface PlanOptions {
  readonly refresh: boolean;
  readonly log: Log;
  readonly workspacesDir: string;
  /** How the plan's creates are checked against what Okta holds (one per run); absent means the check was turned off. */
  readonly existingObjects?: CreateCheck;
  /** Stacks planned at once (default 1). Each uses its workspace's whole rate-limit share: the providers' governors see each other's requests in Okta's headers (same token). */
  readonly parallel?: number;
  /** Plan every stack, even one unchanged since its last successful apply here. */
  readonly all?: boolean;
  /** Stacks this process already ran `terraform init` in (the watcher): not initialized again; each stack planned is added. */
  readonly initialized?: Set<string>;
  /** Checks the Okta user and team group IDs a plan would add (okta-checks.ts); absent: not checked. */
  readonly oktaChecks?: OktaChecks;
  /** Checks Okta takes the credentials of the stacks about to be planned, before Terraform runs (src/cli/okta-options.ts). */
  readonly checkCredentials?: (stacks: readonly StackUnit[]) => Promise<void>;
  /** Stacks to decide first, and to start planning while the others are decided: those the synth just wrote. */
  readonly decideFirst?: ReadonlySet<string>;
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
 * Returns the plan set as saved, and its plans.
 *
 * The stacks in `options.decideFirst` (those this run's synth wrote: the
 * likely changes) are decided first, and Terraform starts on those that
 * changed while every other stack's state is still being read: at 128 shards
 * that reading is about a third of a second Terraform no longer waits for.
 */
export async function planStacks(state: DesiredState, stacks: readonly StackUnit[], terraform: Terraform, paths: SyncPaths, options: PlanOptions): Promise<{ set: PlanSet; plans: SavedPlan[] }> {
  await refuseUnmovedShards(paths.stateDir, stacks);
  const everyStack = options.refresh || options.all === true;
  const positions = stacks.map((_, position) => position);
  const first = everyStack ? positions : positions.filter((position) => options.decideFirst?.has(stacks[position]!.id));
  const rest = everyStack ? [] : positions.filter((position) => !options.decideFirst?.has(stacks[position]!.id));
  const parallel = Math.max(1, options.parallel ?? 1);
  // Terraform processes at once: a stack's plan, or reading a remote backend's state to decide a stack.
  const terraformSlots = new Limiter(parallel);
  const decisions: ({ fingerprint: StackFingerprint; changed: boolean } | undefined)[] = new Array(stacks.length);
  const memo = await DecisionMemo.load(paths.stateDir);
  const decide = async (at: readonly number[]) => {
    const decided = await changesSinceApply(paths, at.map((position) => stacks[position]!), terraform, parallel, terraformSlots, memo);
    at.forEach((position, index) => (decisions[position] = decided[index]));
  };
  const planned = (position: number) => everyStack || decisions[position]!.changed;

  if (!everyStack) await decide(first);
  // Terraform will run: its version is checked while Okta is asked about the credentials.
  if (first.some(planned)) terraform.checkVersionSoon?.();
  // Checked before Terraform runs, only for the stacks it plans (an unchanged stack costs no request).
  await options.checkCredentials?.(first.filter(planned).map((position) => stacks[position]!));
  await clearPlans(paths);
  const notSynced = state.workspaces.filter((workspace) => !workspace.synced).map((workspace) => workspace.id);
  for (const id of notSynced) options.log(`${id}: not planned, Extended account access is off (Okta keeps what it has, R1)`);

  const saved: SavedPlan[] = new Array(stacks.length);
  let failure: { error: unknown } | undefined;
  const planAt = (position: number, terraformStarting?: () => void) =>
    terraformSlots.run(async () => {
      if (failure) {
        terraformStarting?.(); // none will start: the stacks waiting on it are decided
        return; // a plan failed: no new Terraform run, as inPool
      }
      const unit = stacks[position]!;
      const prefix = `[${position + 1}/${stacks.length}] ${unit.id}`;
      const started = Date.now();
      options.log(`${prefix}: init, ${options.refresh ? "refresh and plan" : "plan (no refresh)"}`);
      try {
        saved[position] = await planStack(stackInput(unit), terraform, paths, {
          refresh: options.refresh,
          init: !options.initialized?.has(unit.id),
          existingObjects: options.existingObjects,
          oktaChecks: options.oktaChecks,
          progress: { prefix, log: options.log },
          terraformStarting,
        });
      } catch (error) {
        failure ??= { error };
        return;
      } finally {
        terraformStarting?.();
      }
      options.initialized?.add(unit.id);
      options.log(`${prefix}: ${saved[position].report.hasChanges ? "changes planned" : "no changes"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });
  // The other stacks are decided once the plans that start now have started Terraform: reading 128 states
  // before that would only hold back the plan someone waits for.
  const starting: Promise<void>[] = [];
  const firstPlans = first.filter(planned).map((position, index) => {
    if (index >= parallel) return planAt(position);
    let started = () => {};
    starting.push(new Promise<void>((resolve) => (started = resolve)));
    return planAt(position, started);
  });
  const unchanged: number[] = [];
  const restPlans = (async () => {
    try {
      await Promise.all(starting);
      await decide(rest);
      const toPlan = rest.filter(planned);
      await options.checkCredentials?.(toPlan.map((position) => stacks[position]!));
      const started = toPlan.map((position) => planAt(position));
      // Saved while Terraform plans: listed in the plan set like any other, so that apply finds them.
      unchanged.push(...positions.filter((position) => !planned(position)));
      await inPool(unchanged, STACK_READS_AT_ONCE, async (position) => {
        saved[position] = await savePlan(paths, unchangedPlan(stackInput(stacks[position]!), decisions[position]!.fingerprint));
      }).catch((error: unknown) => void (failure ??= { error }));
      return started;
    } catch (error) {
      failure ??= { error };
      return [];
    }
  })();
  await Promise.all([...firstPlans, ...(await restPlans)]);
  if (failure) throw failure.error;
  await memo.save();

  if (unchanged.length > 0) options.log(`${unchanged.length} of ${stacks.length} stack${stacks.length === 1 ? "" : "s"} unchanged since the last apply: not planned (plan --all plans them; reconcile refreshes them)`);
  const set = await savePlanSet(paths, {
    version: 1,
    plannedAt: new Date().toISOString(),
    refreshed: options.refresh,
    outDir: paths.outDir,
    workspacesDir: path.resolve(options.workspacesDir),
    stacks: saved.map((plan) => plan.stack),
    notSynced,
    parallel,
  });
  return { set, plans: saved };
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
  /** Logins, team names, org and refused accounts, for the report's readers. */
  readonly readers?: StackReaders;
}

export function stackInput(unit: DesiredWorkspace & { readonly workspaceId?: string; readonly shard?: { readonly count: number } }): StackInput {
  return {
    id: unit.id,
    workspaceId: unit.workspaceId ?? unit.id,
    shards: unit.shard?.count ?? 1,
    knownOktaUserIds: unit.knownOktaUserIds,
    accounts: Object.fromEntries(unit.chiclets.map((chiclet) => [chiclet.accountId, { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt }])),
    workspace: unit,
    readers: { people: unit.names?.people ?? {}, teams: unit.names?.teams ?? {}, org: oktaOrgKey(unit.okta), refused: unit.rejected },
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
    report: readPlan(input.id, { format_version: "1.2", resource_changes: [] }, { readers: input.readers }),
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
    existingObjects?: CreateCheck;
    oktaChecks?: OktaChecks;
    vars?: Readonly<Record<string, string>>;
    /** Say how far the plan got, every few seconds, on this log. */
    progress?: { prefix: string; log: Log };
    /** Called once `terraform plan` is started (by a Terraform that says so; else when planStack returns). */
    terraformStarting?: () => void;
  },
): Promise<SavedPlan> {
  const stack = input.id;
  const dir = stackDir(paths, stack);
  await refuseUnreadableState(dir, stack);
  if (options.init) await terraform.init(dir);
  // Read once for both checks below: a remote state costs a `terraform state pull`.
  let state: Promise<unknown> | undefined;
  const stateNow = () => (state ??= currentState(dir, stack, terraform));
  // What the state says looked-up logins stood for, before anything reads the data file: held on every machine.
  if (input.workspace) await restoreHeldLogins(paths, stack, input.workspace, stateNow);
  if (input.workspace && options.existingObjects) await dropStaleAdoptions(stack, input.workspace, paths, options.existingObjects);
  if (options.oktaChecks && input.workspace) await options.oktaChecks.beforePlan(stack, input.workspace, terraform, paths, options.refresh, stateNow);
  await ensureFolder(path.dirname(planFile(paths, stack)));
  const meter = options.progress && new ProgressMeter({ ...options.progress, step: "planning" }).start();
  try {
    await terraform.plan(dir, {
      out: planFile(paths, stack),
      refresh: options.refresh,
      vars: options.vars,
      onProgress: meter && ((kind) => meter.count(kind)),
      onStarted: options.terraformStarting,
    });
  } finally {
    meter?.stop();
  }
  // Hashed before it is shown: if the file were swapped after this, apply would find another SHA-256 and refuse.
  const planSha256 = await planFileSha256(paths, stack);
  const planJson = await terraform.showPlan(dir, planFile(paths, stack));
  const data = JSON.parse(await readFile(path.join(dir, STACK_DATA_FILE), "utf8")) as StackData;
  // Orphans of ours found in Okta are imports now: plan again with them.
  if (input.workspace && options.existingObjects && (await checkCreates(stack, input.workspace, data, planJson, paths, options.existingObjects))) {
    return planStack(input, terraform, paths, { ...options, init: false });
  }
  const people = await rememberPeople(paths, stack, input.knownOktaUserIds, planJson);
  if (input.workspace) await settleStackData(paths, stack, input.workspace);
  const labels = new Map(Object.entries(data.apps).map(([accountId, app]) => [accountId, app.label]));
  const report = withOktaFindings(readPlan(stack, planJson, { oktaToCerby: people, labels, readers: input.readers }), data, input.workspace);
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
    planSha256,
  };
  return savePlan(paths, plan);
}

/**
 * `changedSinceApply` for every stack, in their order. Stack folders and
 * local states are files, read STACK_READS_AT_ONCE at a time (one at a time,
 * the reads' round trips were about 0.3 s of a 128-shard plan); a remote
 * backend's state costs a Terraform process, at most `terraformAtOnce` at once
 * (through `terraformSlots`, which `plan` shares with its Terraform plans).
 * What a local state and a data file told is remembered while they stay the
 * same files (decision-memo.ts).
 */
export async function changesSinceApply(
  paths: SyncPaths,
  stacks: readonly StackUnit[],
  terraform: Terraform | undefined,
  terraformAtOnce: number,
  terraformSlots = new Limiter(Math.max(1, terraformAtOnce)),
  memo?: DecisionMemo,
): Promise<{ fingerprint: StackFingerprint; changed: boolean; reason: string }[]> {
  const remembered = memo ?? (await DecisionMemo.load(paths.stateDir));
  const decided = await inPool(stacks, Math.max(STACK_READS_AT_ONCE, terraformAtOnce), (unit) => changedSinceApply(paths, unit.id, terraform, terraformSlots, remembered));
  if (!memo) await remembered.save(); // a memo given is the caller's to save
  return decided;
}

/**
 * Whether a stack needs Terraform: its state does not hold what its files ask
 * for, as the last apply recorded it in the state (`appliedInState`), or it
 * has objects to import. `plan` skips the others; `shards --changed` lists
 * these. `terraform` reads states in remote backends (local ones are read as
 * files); without it such a stack counts as changed.
 */
export async function changedSinceApply(
  paths: SyncPaths,
  stack: string,
  terraform?: Terraform,
  terraformSlots?: Limiter,
  memo?: DecisionMemo,
): Promise<{ fingerprint: StackFingerprint; changed: boolean; reason: string }> {
  // Each file read once for every check below (at 128 shards, reading each three times cost about 50 ms).
  const files = await readStackFiles(paths, stack);
  const fingerprint = fingerprintOf(files);
  if (fingerprint.importing) return { fingerprint, changed: true, reason: "it has objects to import" };
  const { applied, reason } = await appliedInState(paths, stack, terraform, terraformSlots, files, memo);
  if (applied && namesWhatOktaLacks(files.parsedData as Partial<StackData>)) {
    // Planned every run, so that its warnings (who or which team waits, and what to do) show every run until fixed.
    return { fingerprint, changed: true, reason: "it names people or teams Okta does not know" };
  }
  return { fingerprint, changed: !applied, reason };
}

/** Whether the stack's data leaves out people or IdP teams Okta answered 404 for (src/sync/okta-checks.ts). */
function namesWhatOktaLacks(data: Partial<StackData> | undefined): boolean {
  return Object.keys(data?.notInOkta?.users ?? {}).length > 0 || (data?.notInOkta?.teamGroups ?? []).length > 0;
}
