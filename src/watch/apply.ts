// `watch --apply`: the ApplyStacks the watcher calls after writing stacks. For
// each changed stack: `terraform init` (once per stack and session), an
// incremental plan (`-refresh=false`, R8), then the same apply as the `apply`
// command (src/sync/apply.ts: destroy guard over all stacks first, progress,
// healing, verification, sync status R9). A refusal by the destroy guard
// changes nothing and is reported; the stacks stay pending and are planned
// again after the next change.
import { InternalError } from "../errors.ts";
import type { DestroyLimits } from "../sync/destroy-guard.ts";
import { applySavedPlans, type ApplyOptions } from "../sync/apply.ts";
import { planStack, stackInput } from "../sync/plan.ts";
import { savePlanSet, type SavedPlan, type SyncPaths } from "../sync/saved-plans.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { OktaChecks } from "../sync/okta-checks.ts";
import type { ApplyStacks } from "./watcher.ts";

export interface TerraformApplierOptions {
  /** A Terraform whose runs stop when `signal` fires. */
  readonly terraform: (signal: AbortSignal) => Terraform;
  readonly paths: SyncPaths;
  readonly workspacesDir: string;
  readonly limits: DestroyLimits;
  readonly allowDestroy: boolean;
  readonly log: (message: string) => void;
  readonly reader?: ApplyOptions["reader"];
  /** Checks the Okta IDs each plan would add (src/sync/okta-checks.ts); absent: not checked. */
  readonly oktaChecks?: OktaChecks;
}

export function terraformApplier(options: TerraformApplierOptions): ApplyStacks {
  const initialized = new Set<string>();
  return async (stackIds, signal, written) => {
    const terraform = options.terraform(signal);
    const plans: SavedPlan[] = [];
    for (const stack of stackIds) {
      signal.throwIfAborted();
      const workspace = written.get(stack);
      if (!workspace) throw new InternalError(`watch: stack ${stack} was written, but its desired state is unknown`);
      plans.push(await planStack(stackInput(workspace), terraform, options.paths, { refresh: false, init: !initialized.has(stack), oktaChecks: options.oktaChecks }));
      initialized.add(stack);
    }
    const set = {
      version: 1,
      plannedAt: new Date().toISOString(),
      refreshed: false,
      outDir: options.paths.outDir,
      workspacesDir: options.workspacesDir,
      stacks: plans.map((plan) => plan.stack),
      notSynced: [],
    } as const;
    await savePlanSet(options.paths, set);
    await applySavedPlans(set, plans, terraform, options.paths, { limits: options.limits, allowDestroy: options.allowDestroy, log: options.log, reader: options.reader });
  };
}
