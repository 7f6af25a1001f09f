/** The resource types and data sources the stand-in implements against the API. */
import { appBookmark } from "./app-bookmark.ts";
import { appGroupAssignment } from "./app-group-assignment.ts";
import { appGroupAssignments } from "./app-group-assignments.ts";
import type { DataSourceImpl, ResourceImpl } from "./common.ts";
import { dataEveryoneGroup, dataGroup } from "./data-group.ts";
import { dataUser } from "./data-user.ts";
import { dataUsers } from "./data-users.ts";
import { groupMemberships } from "./group-memberships.ts";
import { groupResource } from "./group.ts";

export type { DataSourceImpl, ResourceImpl };

export const RESOURCES: Record<string, ResourceImpl | undefined> = {
  okta_app_bookmark: appBookmark,
  okta_group: groupResource,
  okta_group_memberships: groupMemberships,
  okta_app_group_assignments: appGroupAssignments,
  okta_app_group_assignment: appGroupAssignment,
  // okta_app_user: schema only (plans work; apply answers an error diagnostic)
};

export const DATA_SOURCES: Record<string, DataSourceImpl | undefined> = {
  okta_user: dataUser,
  okta_users: dataUsers,
  okta_group: dataGroup,
  okta_everyone_group: dataEveryoneGroup,
};
