// `remove-workspace`: takes out of Okta every object a workspace's stacks
// (all its shards) hold, on purpose. R1 keeps a workspace's apps when its
// switch goes off; this is the one way to remove them. The stacks are
// synthesized without chiclets (the caller does that), planned with
// `terraform plan -destroy` (with a refresh: what is already gone is not
// removed twice), shown in Okta terms, and applied only when confirmed.
import { rm } from "node:fs/promises";
import path from "node:path";
import { ensureFolder } from "../files/ensure-folder.ts";
import { readPlan, type PlanReport } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { rememberPeople } from "./people-record.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import { refuseUnreadableState } from "./stack-states.ts";
import { readStatus, writeStatus } from "./status.ts";

export interface RemovalPlan {
  readonly stack: string;
  readonly workspaceId: string;
  readonly shards: number;
  readonly report: PlanReport;
  /** The binary plan: only this is applied. */
  readonly file: string;
}

const removalPlanFile = (paths: SyncPaths, stack: string) => path.join(paths.stateDir, "remove", `${stack}.tfplan`);

/** Plans the removal of everything each stack's state holds; people named from the workspace and earlier plans, chiclets by their last label. */
export async function planRemoval(
  workspace: { readonly id: string; readonly knownOktaUserIds: Readonly<Record<string, string>> },
  stacks: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  log: (message: string) => void,
): Promise<RemovalPlan[]> {
  const plans: RemovalPlan[] = [];
  for (const [position, stack] of stacks.entries()) {
    log(`[${position + 1}/${stacks.length}] ${stack}: init, refresh and plan the removal`);
    const dir = stackDir(paths, stack);
    await refuseUnreadableState(dir, stack);
    await terraform.init(dir);
    const file = removalPlanFile(paths, stack);
    await ensureFolder(path.dirname(file));
    await terraform.plan(dir, { out: file, refresh: true, destroy: true });
    const planJson = await terraform.showPlan(dir, file);
    const people = await rememberPeople(paths, stack, workspace.knownOktaUserIds, planJson);
    const accounts = (await readStatus(paths.stateDir, stack))?.accounts ?? {};
    const labels = new Map(Object.entries(accounts).map(([accountId, account]) => [accountId, account.label]));
    plans.push({ stack, workspaceId: workspace.id, shards: stacks.length, report: readPlan(stack, planJson, { oktaToCerby: people, labels }), file });
  }
  return plans;
}

/** Applies the removal plans stack by stack; each applied stack's status record says it was removed. */
export async function applyRemoval(plans: readonly RemovalPlan[], terraform: Terraform, paths: SyncPaths, log: (message: string) => void, now: () => Date = () => new Date()): Promise<void> {
  for (const plan of plans) {
    await terraform.apply(stackDir(paths, plan.stack), plan.file);
    await writeStatus(paths.stateDir, { workspaceId: plan.workspaceId, stack: plan.stack, shards: plan.shards, removedAt: now().toISOString(), accounts: {} });
    await rm(plan.file, { force: true });
    log(`${plan.stack}: removed from Okta`);
  }
}

/** Removal plans not applied (no --apply, or not confirmed): never applied later, so not kept. */
export async function discardRemoval(plans: readonly RemovalPlan[]): Promise<void> {
  for (const plan of plans) await rm(plan.file, { force: true });
}

