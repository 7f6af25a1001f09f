/**
 * data okta_group and okta_everyone_group as okta/okta 4.20.0 reads them
 * (findGroup): by id, or GET /groups?q=<name>[&filter=type eq "…"] (a
 * starts-with query: an exact name wins among several, a single fuzzy match
 * is accepted); include_users lists the members (limit=200, every page).
 */
import type { ProviderContext } from "../config.ts";
import { errorText } from "../http/sdk-errors.ts";
import { queryString } from "../http/go-query.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import type { DataSourceImpl } from "./common.ts";
import { allPages, delayRead } from "./users.ts";

async function findGroup(p: ProviderContext, d: ResourceData, name: string, isEveryone: boolean): Promise<void> {
  let group: any;
  const id = d.getOk("id");
  if (typeof id === "string") {
    try {
      group = (await p.client.call("GET", `/api/v1/groups/${id}`)).body;
    } catch (e) {
      throw new Error(`failed get group by ID: ${errorText(e)}`);
    }
  } else {
    const type = isEveryone ? null : d.getOk("type");
    let groups: any[];
    try {
      groups = (await p.client.call("GET", `/api/v1/groups${queryString({ q: name, filter: typeof type === "string" ? `type eq "${type}"` : undefined })}`)).body ?? [];
    } catch (e) {
      throw new Error(`failed to query for groups: ${errorText(e)}`);
    }
    const typed = typeof type === "string";
    if (groups.length > 1) {
      group = groups.find((g) => g.profile?.name === name && (!typed || g.type === type));
      if (!group) {
        throw new Error(
          typed
            ? `group starting with name ${JSON.stringify(name)} and type ${JSON.stringify(type)} matches ${groups.length} groups, select a more precise name parameter`
            : `group starting with name ${JSON.stringify(name)} matches ${groups.length} groups, select a more precise name parameter`,
        );
      }
    }
    if (groups.length < 1) {
      throw new Error(typed ? `group with name ${JSON.stringify(name)} and type ${JSON.stringify(type)} does not exist` : `group with name ${JSON.stringify(name)} does not exist`);
    }
    if (groups.length === 1) group = groups[0];
  }
  d.setId(group.id);
  d.set("description", group.profile?.description ?? "");
  if (!isEveryone) {
    d.set("type", group.type ?? "");
    d.set("name", group.profile?.name ?? "");
  }
  if (!d.getBool("include_users")) return;
  try {
    d.set("users", (await allPages(p, await p.client.call("GET", `/api/v1/groups/${d.id}/users?limit=200`))).map((u) => u.id));
  } catch (e) {
    throw new Error(`failed to list group user IDs: ${errorText(e)}`);
  }
}

export const dataGroup: DataSourceImpl = {
  async read(p, d) {
    await delayRead(d);
    await findGroup(p, d, d.getString("name"), false);
  },
};

export const dataEveryoneGroup: DataSourceImpl = {
  read: (p, d) => findGroup(p, d, "Everyone", true),
};
