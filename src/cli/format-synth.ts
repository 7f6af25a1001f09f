// The one-screen summary `synth` prints: the stacks, and what syncing them
// costs in Okta API calls and, at the workspace's rate-limit share, in time.
import { BUCKETS, DEFAULT_PROVIDER_RELEASE, minutesAtRateLimits, totalCalls, type Bucket, type Calls, estimateWorkspaceCost, type OktaProviderRelease } from "../domain/api-cost.ts";
import type { DesiredState } from "../domain/desired-state.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";
import { formatTable } from "./format-preview.ts";

export interface SynthSummaryOptions {
  /** Stacks per workspace ID (its shards); 1 when absent. */
  readonly stacks?: ReadonlyMap<string, number>;
  readonly release?: OktaProviderRelease;
}

export function formatSynthSummary(state: DesiredState, outdir: string, options: SynthSummaryOptions = {}): string {
  const release = options.release ?? DEFAULT_PROVIDER_RELEASE;
  const synced = state.workspaces.filter((workspace) => workspace.synced);
  const skipped = state.workspaces.filter((workspace) => !workspace.synced);
  const rows = synced.map((workspace) => {
    const members = workspace.chiclets.reduce((sum, chiclet) => sum + chiclet.users.length, 0);
    const assignments = workspace.chiclets.reduce((sum, chiclet) => sum + chiclet.groups.length + 1, 0);
    return [workspace.id, String(workspace.chiclets.length), String(workspace.chiclets.length), String(members), String(assignments), String(workspace.rejected.length)];
  });
  let text = `Synthesized ${synced.length} stack${synced.length === 1 ? "" : "s"} into ${outdir}\n`;
  if (rows.length > 0) text += formatTable(["STACK", "APPS", "ACCESS GROUPS", "MEMBERS", "GROUP ASSIGNMENTS", "REJECTED"], rows);
  for (const workspace of skipped) text += `  ${workspace.id}: not synthesized, Extended account access is off (Okta keeps what it has)\n`;
  for (const workspace of synced) {
    const stacks = options.stacks?.get(workspace.id) ?? 1;
    const cost = estimateWorkspaceCost(workspace, { release, stacks });
    const capacity = workspace.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity;
    text +=
      `${workspace.id}: first sync about ${totalCalls(cost.firstSync)} Okta API calls (${describeBuckets(cost.firstSync)}), ` +
      `at least ${formatMinutes(minutesAtRateLimits(cost.firstSync, capacity))} at ${capacity}% of an API token's default share of Okta's rate limits; ` +
      `a full refresh (reconcile) about ${totalCalls(cost.fullRefresh)} (${formatMinutes(minutesAtRateLimits(cost.fullRefresh, capacity))}); as okta/okta ${release} makes them${stacks > 1 ? `, in ${stacks} stacks` : ""}\n`;
  }
  return text;
}

export function describeBuckets(calls: Calls): string {
  return (Object.keys(BUCKETS) as Bucket[])
    .map((bucket) => [bucket, calls[bucket] ?? 0] as const)
    .filter(([, count]) => count > 0)
    .map(([bucket, count]) => `${count} in ${BUCKETS[bucket]}`)
    .join(", ");
}

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.ceil(minutes * 60)} s`;
  if (minutes < 120) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

/** `N Okta API calls (a in /api/v1/apps, ...), at least T at P% of Okta's default rate limits`: what a person plans a run with. */
export function describeCost(calls: Calls, capacityPercent: number): string {
  const total = totalCalls(calls);
  if (total === 0) return "no Okta API call";
  return `${total} Okta API call${total === 1 ? "" : "s"} (${describeBuckets(calls)}), at least ${formatMinutes(minutesAtRateLimits(calls, capacityPercent))} at ${capacityPercent}% of an API token's default share of Okta's rate limits`;
}
