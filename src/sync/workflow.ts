// Plan and apply, stack by stack. `plan` synthesizes, then for each stack runs
// `terraform init`, `plan -out` and `show -json`, and saves the plan with what
// it means in Okta terms; `apply` applies exactly those saved plans.
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import path from "node:path";
import type { DesiredState, DesiredWorkspace } from "../domain/desired-state.ts";
import { ExternalError, UsageError } from "../errors.ts";
import { STACK_DATA_FILE, type StackData } from "../stack/stack-data.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { readPlan, type PlanReport } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { destroyRefusal, type DestroyLimits } from "./destroy-guard.ts";
import { recordSync, type AccountStatus } from "./status.ts";
import { compareText } from "../domain/labels.ts";

export interface SyncPaths {
  /** Synthesized stacks (`cdktf.out`). */
  readonly outDir: string;
  /** Saved plans and sync status (`.cerby-okta`). */
  readonly stateDir: string;
}

/** What `plan` saves beside each binary plan, for `apply` and `review`. */
export interface SavedPlan {
  readonly stack: string;
  readonly plannedAt: string;
  readonly refreshed: boolean;
  /** Okta apps the stack held before this plan. */
  readonly existingApps: number;
  readonly report: PlanReport;
  /** For the status record (R9) after a successful apply. */
  readonly accounts: Record<string, Omit<AccountStatus, "lastSyncedAt">>;
}

export type Log = (message: string) => void;

const plansDir = (paths: SyncPaths) => path.join(paths.stateDir, "plans");
const planFile = (paths: SyncPaths, stack: string) => path.resolve(plansDir(paths), `${stack}.tfplan`);
const planMetaFile = (paths: SyncPaths, stack: string) => path.join(plansDir(paths), `${stack}.json`);
const stackDir = (paths: SyncPaths, stack: string) => path.resolve(paths.outDir, "stacks", stack);

/** Synced workspaces, optionally only some of them. Unknown names are a usage error. */
export function selectStacks(state: DesiredState, only: readonly string[] | undefined): string[] {
  const synced = state.workspaces.filter((workspace) => workspace.synced).map((workspace) => workspace.id);
  if (!only || only.length === 0) return synced;
  const unknown = only.filter((stack) => !synced.includes(stack));
  if (unknown.length > 0) {
    throw new UsageError(`no synced workspace named ${unknown.join(", ")} (synced: ${synced.join(", ") || "none"})`);
  }
  return synced.filter((stack) => only.includes(stack));
}

export async function planStacks(
  state: DesiredState,
  stacks: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  options: { refresh: boolean; log: Log; stackOptions?: StackOptions },
): Promise<SavedPlan[]> {
  // cdktf takes a while to load: only paid for when a command synthesizes.
  const { synthesizeAtomically } = await import("../stack/synthesize.ts");
  await synthesizeAtomically(state, paths.outDir, options.stackOptions);
  // Plans from an earlier run must never be applied after this one.
  await rm(plansDir(paths), { recursive: true, force: true });
  await mkdir(plansDir(paths), { recursive: true });
  const saved: SavedPlan[] = [];
  for (const [position, stack] of stacks.entries()) {
    const started = Date.now();
    options.log(`[${position + 1}/${stacks.length}] ${stack}: init, ${options.refresh ? "refresh and plan" : "plan (no refresh)"}`);
    const workspace = state.workspaces.find((candidate) => candidate.id === stack)!;
    const plan = await planStack(workspace, terraform, paths, { refresh: options.refresh, init: true });
    saved.push(plan);
    options.log(`[${position + 1}/${stacks.length}] ${stack}: ${plan.report.hasChanges ? "changes planned" : "no changes"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return saved;
}

/**
 * Plans one stack already synthesized into `paths.outDir` and saves the plan
 * where `apply` looks for it. `init: false` when the caller knows the stack
 * folder is initialized (the watcher).
 */
export async function planStack(
  workspace: DesiredWorkspace,
  terraform: Terraform,
  paths: SyncPaths,
  options: { refresh: boolean; init: boolean },
): Promise<SavedPlan> {
  const stack = workspace.id;
  const dir = stackDir(paths, stack);
  if (options.init) await terraform.init(dir);
  await mkdir(plansDir(paths), { recursive: true });
  await terraform.plan(dir, { out: planFile(paths, stack), refresh: options.refresh });
  const planJson = await terraform.showPlan(dir, planFile(paths, stack));
  const data = JSON.parse(await readFile(path.join(dir, STACK_DATA_FILE), "utf8")) as StackData;
  const people = await rememberPeople(paths, stack, workspace.knownOktaUserIds, planJson);
  const labels = new Map(Object.entries(data.apps).map(([accountId, app]) => [accountId, app.label]));
  const plan: SavedPlan = {
    stack,
    plannedAt: new Date().toISOString(),
    refreshed: options.refresh,
    existingApps: countExistingApps(planJson),
    report: readPlan(stack, planJson, { oktaToCerby: people, labels }),
    accounts: Object.fromEntries(
      workspace.chiclets.map((chiclet) => [chiclet.accountId, { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt }]),
    ),
  };
  await writeFileAtomic(planMetaFile(paths, stack), `${JSON.stringify(plan, null, 2)}\n`);
  return plan;
}

/** The plans saved by the last `plan`, in stack order. */
export async function readSavedPlans(paths: SyncPaths): Promise<SavedPlan[]> {
  let files: string[];
  try {
    files = (await readdir(plansDir(paths))).filter((file) => file.endsWith(".json")).sort();
  } catch {
    files = [];
  }
  if (files.length === 0) throw new UsageError(`no saved plan in ${plansDir(paths)}: run \`cerby-okta plan\` first`);
  return Promise.all(files.map(async (file) => JSON.parse(await readFile(path.join(plansDir(paths), file), "utf8")) as SavedPlan));
}

/**
 * Applies saved plans stack by stack, each under the destroy guard. The guard
 * checks every stack before anything is applied, so a refusal changes nothing.
 */
export async function applySavedPlans(
  plans: readonly SavedPlan[],
  terraform: Terraform,
  paths: SyncPaths,
  options: { limits: DestroyLimits; allowDestroy: boolean; log: Log; now?: () => Date },
): Promise<{ applied: string[] }> {
  if (!options.allowDestroy) {
    const refusals = plans.map((plan) => destroyRefusal(plan.report, plan.existingApps, options.limits)).filter(Boolean);
    if (refusals.length > 0) throw new UsageError(`apply refused, nothing was changed:\n${refusals.join("\n")}`);
  }
  const applied: string[] = [];
  for (const [position, plan] of plans.entries()) {
    const prefix = `[${position + 1}/${plans.length}] ${plan.stack}`;
    if (plan.report.hasChanges) {
      const total = Object.values(plan.report.counts).reduce((sum, actions) => sum + Object.values(actions).reduce((a, b) => a + (b ?? 0), 0), 0);
      let done = 0;
      let lastLogged = 0;
      const started = Date.now();
      options.log(`${prefix}: applying ${total} change${total === 1 ? "" : "s"}`);
      try {
        await terraform.apply(stackDir(paths, plan.stack), planFile(paths, plan.stack), () => {
          done++;
          // A first sync can take hours: say how far it got every few seconds.
          if (Date.now() - lastLogged > 5000 || done === total) {
            lastLogged = Date.now();
            options.log(`${prefix}: ${done}/${total} applied (${((Date.now() - started) / 1000).toFixed(0)} s)`);
          }
        });
      } catch (error) {
        throw new ExternalError(`${prefix}: apply failed; stacks before it were applied (${applied.join(", ") || "none"})`, { cause: error });
      }
    } else {
      options.log(`${prefix}: nothing to apply`);
    }
    await recordSync(paths.stateDir, plan.stack, plan.accounts, (options.now ?? (() => new Date()))());
    await rm(planFile(paths, plan.stack), { force: true });
    await rm(planMetaFile(paths, plan.stack), { force: true });
    applied.push(plan.stack);
  }
  return { applied };
}

/** Bookmark apps in the state before the plan: every planned bookmark but the new ones. */
function countExistingApps(planJson: unknown): number {
  const changes = (planJson as { resource_changes?: { type?: string; mode?: string; change?: { actions?: string[] } }[] }).resource_changes ?? [];
  return changes.filter(
    (change) => change.mode === "managed" && change.type === "okta_app_bookmark" && !(change.change?.actions?.length === 1 && change.change.actions[0] === "create"),
  ).length;
}

/**
 * Okta user ID -> Cerby user ID: from the workspace, from the logins Terraform
 * looked up, and from earlier plans, so that someone who just lost access
 * (and is no longer looked up) is still named.
 */
async function rememberPeople(
  paths: SyncPaths,
  stack: string,
  knownOktaUserIds: Readonly<Record<string, string>>,
  planJson: unknown,
): Promise<Map<string, string>> {
  const file = path.join(paths.stateDir, "people", `${stack}.json`);
  let remembered: Record<string, string> = {};
  try {
    remembered = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch {
    // First plan of this stack.
  }
  const map = new Map<string, string>(Object.entries(remembered));
  for (const [cerbyId, oktaId] of Object.entries(knownOktaUserIds)) map.set(oktaId, cerbyId);
  for (const [oktaId, cerbyId] of lookedUpUsers(planJson)) map.set(oktaId, cerbyId);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(Object.fromEntries([...map].sort(([a], [b]) => compareText(a, b))), null, 2)}\n`);
  return map;
}

/** The `okta_user` data sources Terraform read while planning. */
function lookedUpUsers(planJson: unknown): Map<string, string> {
  const map = new Map<string, string>();
  const resources =
    (planJson as { prior_state?: { values?: { root_module?: { resources?: { mode?: string; type?: string; index?: unknown; values?: { id?: unknown } }[] } } } })
      .prior_state?.values?.root_module?.resources ?? [];
  for (const resource of resources) {
    if (resource.mode === "data" && resource.type === "okta_user" && typeof resource.index === "string" && typeof resource.values?.id === "string") {
      map.set(resource.values.id, resource.index);
    }
  }
  return map;
}
