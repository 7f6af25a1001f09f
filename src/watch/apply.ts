// `watch --apply`: the ApplyStacks the watcher calls after writing stacks.
// The same plan as the `plan` command (src/sync/plan.ts `planStacks`): an
// incremental plan (`-refresh=false`, R8) of each written stack that differs
// from what its last apply applied (a stack the watcher wrote but nobody
// changed, such as every shard at the watcher's start, costs no Terraform
// run), the check against what Okta already holds before a stack's first
// sync, `terraform init` once per stack and session. Then the same apply as
// the `apply` command (src/sync/apply.ts: destroy guard over all stacks
// first, progress, healing, verification, sync status R9), given the plans
// as this process read them, so the guard judges the binary plan without a
// second `terraform show -json` (`apply` re-reads its plans from disk, where
// anyone could have edited a report, and shows each file again). A refusal by the
// destroy guard changes nothing and is reported; the stacks stay pending and
// are planned again after the next change.
import { InternalError } from "../errors.ts";
import type { StackUnit } from "../stack/shards.ts";
import type { DestroyLimits } from "../sync/destroy-guard.ts";
import { applySavedPlans, type ApplyOptions } from "../sync/apply.ts";
import { planStacks, type PlanOptions } from "../sync/plan.ts";
import type { SyncPaths } from "../sync/saved-plans.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { CreateCheck } from "../sync/create-check.ts";
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
  /** The check of each sync's creates against Okta, made anew per sync (an apply changes what Okta holds); absent: not checked. */
  readonly createCheck?: (terraform: Terraform) => CreateCheck | undefined;
  /** Checks the Okta IDs each plan would add (src/sync/okta-checks.ts); absent: not checked. */
  readonly oktaChecks?: OktaChecks;
  /** Checks Okta takes the credentials before each sync's Terraform runs; absent: not checked. */
  readonly checkCredentials?: PlanOptions["checkCredentials"];
}

export function terraformApplier(options: TerraformApplierOptions): ApplyStacks {
  const initialized = new Set<string>();
  return async (stackIds, signal, written) => {
    const terraform = options.terraform(signal);
    const stacks: StackUnit[] = stackIds.map((id) => {
      const stack = written.get(id);
      if (!stack) throw new InternalError(`watch: stack ${id} was written, but its desired state is unknown`);
      return stack;
    });
    const { set, plans } = await planStacks({ workspaces: [] }, stacks, terraform, options.paths, {
      refresh: false,
      log: options.log,
      workspacesDir: options.workspacesDir,
      existingObjects: options.createCheck?.(terraform),
      oktaChecks: options.oktaChecks,
      initialized,
      checkCredentials: options.checkCredentials,
    });
    signal.throwIfAborted();
    // The plans as this process read them from Terraform a moment ago, not as re-read from disk: their reports are the
    // `show -json` of the very files apply checks by SHA-256, so the destroy guard needs no second `show -json`.
    await applySavedPlans(set, plans, terraform, options.paths, {
      limits: options.limits,
      allowDestroy: options.allowDestroy,
      log: options.log,
      reader: options.reader,
      reportsShownHere: true,
    });
  };
}
