// `watch --apply`: the ApplyStacks the watcher calls after writing stacks. For
// each changed stack: `terraform init` (once per stack and session), an
// incremental plan (`-refresh=false`, R8), then the same apply as the `apply`
// command (src/sync/workflow.ts: destroy guard over all stacks first,
// progress, sync status R9). A refusal by the destroy guard changes nothing
// and is reported; the stacks stay pending and are planned again after the
// next change.
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { STACK_DATA_FILE, type StackData } from "../stack/stack-data.ts";
import type { DestroyLimits } from "../sync/destroy-guard.ts";
import { applySavedPlans, type SavedPlan, type SyncPaths } from "../sync/workflow.ts";
import { readPlan } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { ApplyStacks } from "./watcher.ts";

export interface TerraformApplierOptions {
  /** A Terraform whose runs stop when `signal` fires. */
  readonly terraform: (signal: AbortSignal) => Terraform;
  readonly paths: SyncPaths;
  readonly limits: DestroyLimits;
  readonly allowDestroy: boolean;
  readonly log: (message: string) => void;
}

export function terraformApplier(options: TerraformApplierOptions): ApplyStacks {
  const initialized = new Set<string>();
  return async (stackIds, signal, written) => {
    const terraform = options.terraform(signal);
    const plans: SavedPlan[] = [];
    for (const stack of stackIds) {
      signal.throwIfAborted();
      const dir = path.resolve(options.paths.outDir, "stacks", stack);
      if (!initialized.has(stack)) {
        await terraform.init(dir);
        initialized.add(stack);
      }
      // Where applySavedPlans looks for a stack's plan (src/sync/workflow.ts).
      const planFile = path.resolve(options.paths.stateDir, "plans", `${stack}.tfplan`);
      await mkdir(path.dirname(planFile), { recursive: true });
      await terraform.plan(dir, { out: planFile, refresh: false });
      const planJson = await terraform.showPlan(dir, planFile);
      const data = JSON.parse(await readFile(path.join(dir, STACK_DATA_FILE), "utf8")) as StackData;
      const workspace: DesiredWorkspace | undefined = written.get(stack);
      plans.push({
        stack,
        plannedAt: new Date().toISOString(),
        refreshed: false,
        existingApps: countExistingApps(planJson),
        report: readPlan(stack, planJson, {
          oktaToCerby: oktaToCerbyIds(data, planJson),
          labels: new Map(Object.entries(data.apps).map(([accountId, app]) => [accountId, app.label])),
        }),
        accounts: Object.fromEntries(
          (workspace?.chiclets ?? []).map((chiclet) => [chiclet.accountId, { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt }]),
        ),
      });
    }
    await applySavedPlans(plans, terraform, options.paths, { limits: options.limits, allowDestroy: options.allowDestroy, log: options.log });
  };
}

// The two helpers below mirror private ones of src/sync/workflow.ts (simplified: people are named
// from the stack data and the logins looked up in this plan).

/** Bookmark apps in the state before the plan: every planned bookmark but the new ones. */
function countExistingApps(planJson: unknown): number {
  const changes = (planJson as { resource_changes?: { type?: string; mode?: string; change?: { actions?: string[] } }[] }).resource_changes ?? [];
  return changes.filter(
    (change) => change.mode === "managed" && change.type === "okta_app_bookmark" && !(change.change?.actions?.length === 1 && change.change.actions[0] === "create"),
  ).length;
}

/** Okta user ID -> Cerby user ID, from the stack data and the logins Terraform looked up. */
function oktaToCerbyIds(data: StackData, planJson: unknown): Map<string, string> {
  const map = new Map<string, string>();
  for (const [cerbyId, oktaId] of Object.entries(data.oktaUserIds)) map.set(oktaId, cerbyId);
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
