// The destroy guard: a plan that removes many apps, or takes a chiclet from
// many people, is far more likely a truncated snapshot or a bad edit than a
// decision, so apply refuses it unless told otherwise. Lost access counts as
// a removal too: a person (or an IdP group) losing a chiclet is one pair.
import type { PlanReport } from "../terraform/plan-report.ts";
import { groupName, personName } from "../domain/readers.ts";
import { printable } from "../text/printable.ts";

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
  const lost = report.accessLost;
  const lostPercent = percentOf(lost, report.existingAccess);
  if (lost > limits.maxCount || (lost > ACCESS_PERCENT_FLOOR && lostPercent > limits.maxPercent)) {
    reasons.push(`takes ${lost} of ${report.existingAccess} chiclet assignments away from people or IdP groups (${lostPercent.toFixed(0)}%${whoLoses(report)})`);
  }
  if (reasons.length === 0) return undefined;
  return (
    `stack ${report.stack}: the plan ${reasons.join(" and ")}, over the limit of ${limits.maxPercent}% or ${limits.maxCount}; people would lose these chiclets. ` +
    `If this is intended, run again with --allow-destroy (limits: --max-destroy-percent, --max-destroy-count)`
  );
}

/** People named in a refusal before "and N more": enough to recognise a truncated snapshot. */
const NAMED = 5;

/** `; among them dave@acme.example (u-dave), Social Media (00g1social)`: who loses, by name. */
function whoLoses(report: PlanReport): string {
  const names = [
    ...new Set(report.access.flatMap((entry) => [...entry.lostUsers.map((id) => personName(report.readers, id)), ...entry.lostGroups.map((id) => groupName(report.readers, id))])),
  ];
  if (names.length === 0) return "";
  const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : "";
  return `; among them ${names.slice(0, NAMED).map((name) => printable(name)).join(", ")}${more}`;
}
