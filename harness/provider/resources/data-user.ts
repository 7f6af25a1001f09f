/**
 * data okta_user as okta/okta 4.20.0 reads it: by user_id (GET /users/{id}) or
 * by search (GET /users?limit=1&search=…, the value not escaped); no match
 * fails the whole plan. Unless skipped, the roles (GET …/roles, twice) and the
 * groups (GET …/groups) of the user.
 */
import { errorText } from "../http/sdk-errors.ts";
import { queryString } from "../http/go-query.ts";
import type { DataSourceImpl } from "./common.ts";
import { adminRolesSuppressing403, delayRead, flattenUser, groupsOfUser, rolesOf, searchCriteria } from "./users.ts";

export const dataUser: DataSourceImpl = {
  async read(p, d) {
    await delayRead(d);
    let user: any;
    const userId = d.getOk("user_id");
    if (typeof userId === "string") {
      try {
        user = (await p.client.call("GET", `/api/v1/users/${userId}`)).body;
      } catch (e) {
        throw new Error(`failed to get user: ${errorText(e)}`);
      }
    } else if (d.getList("search").length > 0) {
      const criteria = searchCriteria(d);
      let users: any[];
      try {
        users = (await p.client.call("GET", `/api/v1/users${queryString({ limit: 1, search: criteria })}`)).body ?? [];
      } catch (e) {
        throw new Error(`failed to list users: ${errorText(e)}`);
      }
      if (users.length < 1) throw new Error(`no users found using search criteria: ${criteria}`);
      user = users[0];
    } else {
      // 4.20.0 dereferences a nil user here: the plugin crashes.
      throw new Error("The plugin encountered an error, and failed to respond to the plugin.(*GRPCProvider).ReadDataSource call (okta/okta 4.20.0 panics when data okta_user has neither user_id nor search)");
    }
    d.setId(user.id);
    for (const [k, v] of Object.entries(flattenUser(user, p.release.isV6))) d.set(k, v);
    if (!d.getBool("skip_roles")) {
      try {
        d.set("admin_roles", await adminRolesSuppressing403(p, d.id));
      } catch (e) {
        throw new Error(`failed to set user's admin roles: ${errorText(e)}`);
      }
      try {
        d.set("roles", await rolesOf(p, d.id));
      } catch (e) {
        throw new Error(`failed to set user's roles: ${errorText(e)}`);
      }
    }
    if (!d.getBool("skip_groups")) {
      try {
        d.set("group_memberships", await groupsOfUser(p, d.id));
      } catch (e) {
        throw new Error(`failed to set user's groups: ${errorText(e)}`);
      }
    }
  },
};
