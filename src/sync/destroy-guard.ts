// The destroy guard: a plan that removes many apps is far more likely a
// truncated snapshot or a bad edit than a decision, so apply refuses it
// unless told otherwise.
import type { PlanReport } from "../terraform/plan-report.ts";

export interface DestroyLimits {
  /** Refuse when more than this percent of the stack's existing apps would go. */
  readonly maxPercent: number;
  /** Refuse when more than this many apps would go. */
  readonly maxCount: number;
}

export const DEFAULT_DESTROY_LIMITS: DestroyLimits = { maxPercent: 10, maxCount: 20 };

/** Why the plan must not be applied without --allow-destroy, or undefined when it may. */
export function destroyRefusal(report: PlanReport, existingApps: number, limits: DestroyLimits): string | undefined {
  const removed = report.appsRemoved + report.appsReplaced;
  if (removed === 0) return undefined;
  const percent = existingApps === 0 ? 100 : (removed / existingApps) * 100;
  if (removed > limits.maxCount || percent > limits.maxPercent) {
    return (
      `stack ${report.stack}: the plan removes or replaces ${removed} of ${existingApps} Okta apps (${percent.toFixed(0)}%), ` +
      `over the limit of ${limits.maxPercent}% or ${limits.maxCount} apps; people would lose these chiclets. ` +
      `If this is intended, run again with --allow-destroy (limits: --max-destroy-percent, --max-destroy-count)`
    );
  }
  return undefined;
}
