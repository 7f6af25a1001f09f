// Okta API calls a full refresh of the synthesized stack costs. Okta limits
// `/api/v1/apps*` (assignments included) to about 100 requests a minute on
// common plans, so that bucket decides how long a real plan takes.
import type { DesiredWorkspace } from "./desired-state.ts";

/** Okta returns at most this many app groups or group members per page. */
export const OKTA_PAGE_SIZE = 200;
/** Requests per minute in the `/api/v1/apps*` bucket on common plans. */
export const APPS_BUCKET_PER_MINUTE = 100;

export interface ApiCost {
  /** `/api/v1/apps*`: read each app, list its group assignments. */
  readonly apps: number;
  /** `/api/v1/groups*`: read each access group and list its members. */
  readonly groups: number;
  /** `/api/v1/users*`: look up users that have no oktaUserId. */
  readonly users: number;
  /** What one `okta_app_user` per person and app would cost in the apps bucket instead. */
  readonly appsIfAssignedPerUser: number;
}

const pages = (items: number) => Math.max(1, Math.ceil(items / OKTA_PAGE_SIZE));

export function estimateRefreshCost(workspaces: readonly DesiredWorkspace[]): ApiCost {
  let apps = 0;
  let groups = 0;
  let users = 0;
  let appsIfAssignedPerUser = 0;
  for (const workspace of workspaces) {
    for (const chiclet of workspace.chiclets) {
      const assignedGroups = chiclet.groups.length + (chiclet.users.length > 0 ? 1 : 0);
      apps += 1 + pages(assignedGroups);
      if (chiclet.users.length > 0) groups += 1 + pages(chiclet.users.length);
      appsIfAssignedPerUser += 1 + pages(chiclet.groups.length) + chiclet.users.length;
    }
    users += workspace.people.filter((person) => person.oktaUserId === undefined).length;
  }
  return { apps, groups, users, appsIfAssignedPerUser };
}

/** Minutes a full refresh spends waiting on the apps bucket alone. */
export function appsBucketMinutes(cost: ApiCost): number {
  return cost.apps / APPS_BUCKET_PER_MINUTE;
}
