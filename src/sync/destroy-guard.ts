// The destroy guard: a plan that removes many apps, or takes a chiclet from
// many people, is far more likely a truncated snapshot or a bad edit than a
// decision, so apply refuses it unless told otherwise. Lost access counts as
// a removal too: a person (or an IdP group) losing a chiclet is one pair.
import type { PlanReport } from "../terraform/plan-report.ts";
import { groupName, personName } from "../domain/readers.ts";
import { compareText, printable } from "../text/printable.ts";

export interface DestroyLimits {
  /** Refuse when more than this percent of the stack's apps, or of its people-chiclet pairs, would go. */
  readonly maxPercent: number;
  /** Refuse when more than this many apps, or people-chiclet pairs, would go. */
  readonly maxCount: number;
}

export const DEFAULT_DESTROY_LIMITS: DestroyLimits = { maxPercent: 10, maxCount: 20 };

/**
 * Lost access is judged by the percentage only past this many pairs: in a
 * small workspace one collaborator leaving is already 10%, and an ordinary
 * change, not an accident at scale. (Apps have no floor: any app lost is a
 * chiclet gone for everyone who saw it.)
 */
export const ACCESS_PERCENT_FLOOR = 10;

const percentOf = (part: number, whole: number) => (whole === 0 ? 100 : (part / whole) * 100);

/** Why the plan must not be applied without --allow-destroy, or undefined when it may. */
export function destroyRefusal(report: PlanReport, limits: DestroyLimits): string | undefined {
  const reasons: string[] = [];
  const removed = report.appsRemoved + report.appsReplaced;
  const appsPercent = percentOf(removed, report.existingApps);
  if (removed > 0 && (removed > limits.maxCount || appsPercent > limits.maxPercent)) {
    reasons.push(`removes or replaces ${removed} of ${report.existingApps} Okta apps (${appsPercent.toFixed(0)}%)`);
  }
  const access = accessReason(report.accessLost, report.existingAccess, limits, whoLoses(report));
  if (access) reasons.push(access);
  if (reasons.length === 0) return undefined;
  return (
    `stack ${report.stack}: the plan ${reasons.join(" and ")}, over the limit of ${limits.maxPercent}% or ${limits.maxCount}; people would lose these chiclets. ` +
    `If this is intended, run again with --allow-destroy (limits: --max-destroy-percent, --max-destroy-count)`
  );
}

/** `who`: `; among them ...`, said inside the parentheses. */
function accessReason(lost: number, existing: number, limits: DestroyLimits, who = ""): string | undefined {
  const lostPercent = percentOf(lost, existing);
  if (lost > limits.maxCount || (lost > ACCESS_PERCENT_FLOOR && lostPercent > limits.maxPercent)) {
    return `takes ${lost} of ${existing} chiclet assignments away from people or IdP groups (${lostPercent.toFixed(0)}%${who})`;
  }
  return undefined;
}

/** How many lost pairs a refusal names, by who loses most. */
const NAMED = 5;

/**
 * Lost access counted over every stack of the run (all shards of a workspace,
 * and all workspaces): a person whose chiclets are spread over many shards
 * loses a few in each, under every stack's own limit. Undefined when the run
 * as a whole keeps within the limits (a single stack is judged by destroyRefusal).
 */
export function runAccessRefusal(reports: readonly PlanReport[], limits: DestroyLimits): string | undefined {
  if (reports.length < 2) return undefined;
  const lost = reports.reduce((sum, report) => sum + report.accessLost, 0);
  const reason = accessReason(lost, reports.reduce((sum, report) => sum + report.existingAccess, 0), limits);
  if (!reason) return undefined;
  const losses = new Map<string, number>();
  for (const change of reports.flatMap((report) => report.access)) {
    for (const who of [...change.lostUsers, ...change.lostGroups.map((group) => `group ${group}`)]) losses.set(who, (losses.get(who) ?? 0) + 1);
  }
  const most = [...losses].sort(([a, x], [b, y]) => y - x || compareText(a, b));
  const named = most.slice(0, NAMED).map(([who, count]) => `${printable(who)} (${count})`);
  const stacks = reports.filter((report) => report.accessLost > 0).length;
  return (
    `the run, across ${stacks} of ${reports.length} stacks, ${reason}, over the limit of ${limits.maxPercent}% or ${limits.maxCount}; ` +
    `most affected: ${named.join(", ")}${most.length > NAMED ? ` and ${most.length - NAMED} more` : ""}. ` +
    `If this is intended, run again with --allow-destroy (limits: --max-destroy-percent, --max-destroy-count)`
  );
}

/** `; among them dave@acme.example (u-dave), Social Media (00g1social)`: who loses, by name. */
function whoLoses(report: PlanReport): string {
  const names = [
    ...new Set(report.access.flatMap((entry) => [...entry.lostUsers.map((id) => personName(report.readers, id)), ...entry.lostGroups.map((id) => groupName(report.readers, id))])),
  ];
  if (names.length === 0) return "";
  const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : "";
  return `; among them ${names.slice(0, NAMED).map((name) => printable(name)).join(", ")}${more}`;
}
