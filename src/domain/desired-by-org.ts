// computeDesiredState, recomputed only for the Okta orgs whose workspaces
// changed. Workspaces influence each other only through chiclet labels, which
// are numbered per Okta org (R4); everything else is per workspace. So the
// desired state of an org's workspaces depends on those workspaces alone, and
// an org whose workspaces are the same objects as last time is reused.
// (a test checks this against computeDesiredState.)
import { compareText } from "../text/printable.ts";
import { computeDesiredState, oktaOrgKey, type DesiredWorkspace } from "./desired-state.ts";
import type { WorkspaceInput } from "./model.ts";

interface OrgResult {
  readonly inputs: readonly WorkspaceInput[];
  readonly result: readonly DesiredWorkspace[];
}

export class DesiredByOrg {
  private cache = new Map<string, OrgResult>();

  /** Same as `computeDesiredState(workspaces).workspaces` (sorted by workspace ID). */
  compute(workspaces: readonly WorkspaceInput[]): DesiredWorkspace[] {
    const groups = new Map<string, WorkspaceInput[]>();
    for (const workspace of workspaces) {
      const key = oktaOrgKey(workspace.settings.okta);
      const group = groups.get(key);
      if (group) group.push(workspace);
      else groups.set(key, [workspace]);
    }
    const next = new Map<string, OrgResult>();
    const all: DesiredWorkspace[] = [];
    for (const [key, group] of groups) {
      const cached = this.cache.get(key);
      const result = cached && sameObjects(cached.inputs, group) ? cached.result : computeDesiredState(group).workspaces;
      next.set(key, { inputs: group, result });
      all.push(...result);
    }
    this.cache = next;
    return all.sort((a, b) => compareText(a.id, b.id));
  }
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
