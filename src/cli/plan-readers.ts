// What the plan's readers get beyond each stack's changes: the accounts
// refused (R2), the chiclets renumbered by another account's change (R4), and
// the pull-request labels a review sets (tfcmt's `no-changes`, `destroy`,
// `drift`). For the terminal, the review Markdown and `--json` alike.
import type { Rejection } from "../domain/desired-state.ts";
import { explainRenumbering, renumberingSentence, type LabelChange, type Renumbering } from "../domain/readers.ts";
import type { SavedPlan } from "../sync/saved-plans.ts";

/** What these need of a plan: its report, and its workspace when known (a shard's stack is not its workspace). */
type PlanLike = Pick<SavedPlan, "report"> & { readonly workspaceId?: string };
import { compareText, printable } from "../text/printable.ts";

/** A refused account and the workspace it is in. */
export interface RefusedAccount extends Rejection {
  readonly workspaceId: string;
}

/** Every refused account once (the shards of a workspace each carry the workspace's), sorted. */
export function refusedAccounts(plans: readonly PlanLike[]): RefusedAccount[] {
  const seen = new Map<string, RefusedAccount>();
  for (const plan of plans) {
    for (const rejection of plan.report.readers?.refused ?? []) {
      seen.set(`${(plan.workspaceId ?? plan.report.stack)}\u0000${rejection.accountId}`, { workspaceId: (plan.workspaceId ?? plan.report.stack), accountId: rejection.accountId, reason: rejection.reason });
    }
  }
  return [...seen.values()].sort((a, b) => compareText(a.workspaceId, b.workspaceId) || compareText(a.accountId, b.accountId));
}

/** The label changes of every stack, with the org each belongs to (a stack whose org is not known is its own). */
function labelChanges(plans: readonly PlanLike[]): LabelChange[] {
  return plans.flatMap((plan) =>
    plan.report.chiclets.flatMap((change): LabelChange[] => {
      const base = { stack: plan.report.stack, org: plan.report.readers?.org ?? `stack ${plan.report.stack}`, accountId: change.accountId };
      switch (change.kind) {
        case "create":
          return [{ ...base, after: change.label }];
        case "remove":
          return [{ ...base, before: change.label }];
        case "relabel":
        case "replace":
          return [{ ...base, before: change.previousLabel ?? change.label, after: change.label }];
        default:
          return [];
      }
    }),
  );
}

/** Chiclets relabelled only because another account's change moved R4's numbers. */
export function renumberings(plans: readonly PlanLike[]): Renumbering[] {
  return explainRenumbering(labelChanges(plans));
}

/** Lines for `plan` and `reconcile` after the stacks' own: refused accounts, then renumberings. */
export function readerLines(plans: readonly PlanLike[]): string[] {
  const lines: string[] = [];
  const refused = refusedAccounts(plans);
  if (refused.length > 0) {
    lines.push(`refused accounts (R2: not extended to Okta; fix the okta: block or ask an account owner): ${refused.length}`);
    for (const entry of refused) lines.push(`  ! ${printable(entry.workspaceId)}: account ${printable(entry.accountId)} refused: ${printable(entry.reason, 300)}`);
  }
  for (const renumbering of renumberings(plans)) {
    lines.push(`${printable(renumbering.stack)}: ~ ${printable(renumbering.accountId)}: ${renumberingSentence(renumbering)}`);
  }
  return lines;
}

export const PR_LABELS = ["no-changes", "destroy", "drift"] as const;
export type PrLabel = (typeof PR_LABELS)[number];

/**
 * The labels a pull request gets, as tfcmt sets them: `no-changes` when no
 * stack changes and none drifted; `destroy` when the plan deletes or replaces
 * a Terraform resource or takes a chiclet away from anyone; `drift` when Okta
 * was changed outside Terraform (seen only by a refreshing plan).
 */
export function prLabels(plans: readonly PlanLike[]): PrLabel[] {
  const reports = plans.map((plan) => plan.report);
  const labels: PrLabel[] = [];
  if (reports.every((report) => !report.hasChanges && report.drift.length === 0)) labels.push("no-changes");
  const deletes = (report: SavedPlan["report"]) => Object.values(report.counts).some((actions) => (actions.delete ?? 0) + (actions.replace ?? 0) > 0);
  if (reports.some((report) => deletes(report) || report.accessLost > 0)) labels.push("destroy");
  if (reports.some((report) => report.drift.length > 0)) labels.push("drift");
  return labels;
}

/** The machine-readable plan (`plan --json`, `review --json`, `reconcile --json`): format 1, fields added only. */
export function planDocument(plans: readonly PlanLike[], extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    version: 1,
    ...extra,
    labels: prLabels(plans),
    refused: refusedAccounts(plans),
    renumbered: renumberings(plans),
    stacks: plans.map((plan) => plan.report),
  };
}
