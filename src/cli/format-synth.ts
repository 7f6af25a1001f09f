// The one-screen summary `synth` prints.
import { appsBucketMinutes, estimateRefreshCost } from "../domain/api-cost.ts";
import type { DesiredState } from "../domain/desired-state.ts";
import { formatTable } from "./format-preview.ts";

export function formatSynthSummary(state: DesiredState, outdir: string): string {
  const synced = state.workspaces.filter((workspace) => workspace.synced);
  const skipped = state.workspaces.filter((workspace) => !workspace.synced);
  const rows = synced.map((workspace) => {
    const accessGroups = workspace.chiclets.filter((chiclet) => chiclet.users.length > 0);
    const members = accessGroups.reduce((sum, chiclet) => sum + chiclet.users.length, 0);
    const assignments = workspace.chiclets.reduce((sum, chiclet) => sum + chiclet.groups.length + (chiclet.users.length > 0 ? 1 : 0), 0);
    return [workspace.id, String(workspace.chiclets.length), String(accessGroups.length), String(members), String(assignments), String(workspace.rejected.length)];
  });
  let text = `Synthesized ${synced.length} stack${synced.length === 1 ? "" : "s"} into ${outdir}\n`;
  if (rows.length > 0) text += formatTable(["STACK", "APPS", "ACCESS GROUPS", "MEMBERS", "GROUP ASSIGNMENTS", "REJECTED"], rows);
  for (const workspace of skipped) text += `  ${workspace.id}: not synthesized, Extended account access is off (Okta keeps what it has)\n`;
  const cost = estimateRefreshCost(synced);
  text +=
    `Okta API calls for a full refresh: ${cost.apps} in /api/v1/apps* (about ${formatMinutes(appsBucketMinutes(cost))} at 100/min), ` +
    `${cost.groups} in /api/v1/groups*, ${cost.users} in /api/v1/users*\n` +
    `  (one okta_app_user per person would cost ${cost.appsIfAssignedPerUser} in /api/v1/apps*)\n`;
  return text;
}

function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.ceil(minutes * 60)} s`;
  if (minutes < 120) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}
