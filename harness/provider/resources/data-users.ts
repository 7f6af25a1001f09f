/**
 * data okta_users as okta/okta 4.20.0 reads it: the members of group_id, or a
 * search (GET /users?limit=200&search=…&sortOrder=0, every page). No match is
 * no error: `users = []`. The id is the CRC-32 of the query string, as the
 * real one computes it. include_groups / include_roles add a call per user.
 */
import { crc32 } from "node:zlib";
import { errorText } from "../http/sdk-errors.ts";
import { queryString } from "../http/go-query.ts";
import type { Obj } from "../values.ts";
import type { DataSourceImpl } from "./common.ts";
import { adminRolesOf, allPages, delayRead, flattenUser, groupsOfUser, searchCriteria } from "./users.ts";

export const dataUsers: DataSourceImpl = {
  async read(p, d) {
    await delayRead(d);
    let users: any[];
    let id: string;
    const groupId = d.getOk("group_id");
    try {
      if (typeof groupId === "string") {
        id = groupId;
        users = await allPages(p, await p.client.call("GET", `/api/v1/groups/${groupId}/users?limit=200`));
      } else if (d.getList("search").length > 0) {
        const query = queryString({ search: searchCriteria(d), limit: 200, sortOrder: "0" });
        id = String(crc32(query));
        users = await allPages(p, await p.client.call("GET", `/api/v1/users${query}`));
      } else {
        throw new Error("must specify either group_id or search attributes");
      }
    } catch (e) {
      if (e instanceof Error && e.message === "must specify either group_id or search attributes") throw e;
      throw new Error(`failed to list users: ${errorText(e)}`);
    }
    d.setId(id);
    const includeGroups = d.getBool("include_groups");
    const includeRoles = d.getBool("include_roles");
    const out: Obj[] = [];
    for (const user of users) {
      const element: Obj = { ...flattenUser(user, p.release.isV6), id: user.id };
      if (includeGroups) {
        try {
          element.group_memberships = await groupsOfUser(p, user.id);
        } catch (e) {
          throw new Error(`failed to list users: ${errorText(e)}`);
        }
      }
      if (includeRoles) {
        try {
          element.admin_roles = await adminRolesOf(p, user.id);
        } catch (e) {
          throw new Error(`failed to set user's admin roles: ${errorText(e)}`);
        }
      }
      out.push(element);
    }
    d.set("users", out);
  },
};
