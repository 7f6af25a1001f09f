/**
 * okta_group_memberships as okta/okta 4.20.0 does it (resource_okta_group_memberships.go, group.go):
 * - create: nothing when there are no users; else a PUT per user, stopping at
 *   (and returning) the first error, then GET …/users?limit=200 until the group
 *   has a member (10 s). No read.
 * - read: with track_all_users, every member (all pages) replaces `users` when
 *   any differs; without it, only users that left are dropped. A 404 is no
 *   error: the resource stays, with no users.
 * - update: adds, then removes, and DISCARDS both errors (upstream #2359);
 *   no read, so the state becomes the plan.
 * - delete: DELETE each user; 404 suppressed.
 * okta/okta 6.11.0+ (#2810): import lists the group's members (every page)
 * into `users`; any error, a 404 included, fails the import.
 */
import { Permanent, retryExponential } from "../backoff.ts";
import type { ProviderContext } from "../config.ts";
import { errorText, suppressErrorOn404 } from "../http/sdk-errors.ts";
import type { SdkResponse } from "../okta-client.ts";
import { setOrder } from "../sdkv2/hashing.ts";
import type { Obj } from "../values.ts";
import type { ResourceImpl } from "./common.ts";
import { allPages } from "./users.ts";

async function addGroupMembers(p: ProviderContext, groupId: string, users: string[]): Promise<void> {
  for (const user of users) {
    try {
      await p.client.call("PUT", `/api/v1/groups/${groupId}/users/${user}`);
    } catch (e) {
      throw new Error(`failed to add user (${user}) to group (${groupId}): ${errorText(e)}`);
    }
  }
}

async function removeGroupMembers(p: ProviderContext, groupId: string, users: string[]): Promise<void> {
  for (const user of users) {
    try {
      await p.client.call("DELETE", `/api/v1/groups/${groupId}/users/${user}`);
    } catch (e) {
      const err = suppressErrorOn404(e);
      if (err) throw new Error(`failed to remove user (${user}) from group (${groupId}): ${err.message}`);
    }
  }
}

/** Every page of the group's members; a 404 reads as an empty group. */
async function memberIds(p: ProviderContext, groupId: string, stopWhen?: (ids: string[]) => boolean): Promise<string[]> {
  const fail = (e: unknown) => new Error(`unable to list users for group (${groupId}) from API, error: ${errorText(e)}`);
  let resp: SdkResponse;
  try {
    resp = await p.client.call("GET", `/api/v1/groups/${groupId}/users?limit=200`);
  } catch (e) {
    const err = suppressErrorOn404(e);
    if (err) throw fail(err);
    return [];
  }
  const ids: string[] = (resp.body ?? []).map((u: any) => u.id);
  while (resp.nextPage && !stopWhen?.(ids)) {
    try {
      resp = await p.client.next(resp);
    } catch (e) {
      throw fail(e);
    }
    ids.push(...(resp.body ?? []).map((u: any) => u.id));
  }
  return ids;
}

export const groupMemberships: ResourceImpl = {
  async create(p, d) {
    const groupId = d.getString("group_id");
    const users = d.getStringSet("users");
    if (users.length === 0) {
      d.setId(groupId);
      return;
    }
    await addGroupMembers(p, groupId, users);
    // Okta can be eventually consistent: wait until the group has at least one member.
    await retryExponential(
      async () => {
        let members: any[] = [];
        try {
          members = (await p.client.call("GET", `/api/v1/groups/${groupId}/users?limit=200`)).body ?? [];
        } catch (e) {
          if (suppressErrorOn404(e)) throw new Permanent(new Error(`unable to return membership for group (${groupId}) from API`));
        }
        if (members.length === 0) throw new Error(`group (${groupId}) did not have expected user memberships after multiple checks`);
      },
      10_000,
      "v4",
    );
    d.setId(groupId);
  },

  async read(p, d) {
    const groupId = d.getString("group_id");
    const oldUsers = d.getStringSet("users");
    if (d.getBool("track_all_users")) {
      let fromApi: string[];
      try {
        fromApi = await memberIds(p, groupId);
      } catch (e) {
        throw new Error(`An error occurred checking user ids for group ${JSON.stringify(groupId)}, error: ${errorText(e)}`);
      }
      const known = new Set(oldUsers);
      const changed = fromApi.some((id) => !known.has(id)) || known.size !== fromApi.length;
      if (changed) d.set("users", setOrder(fromApi));
      return;
    }
    // Legacy: only users that left the group are dropped.
    if (oldUsers.length === 0) return;
    const missing = new Set(oldUsers);
    try {
      await memberIds(p, groupId, (ids) => {
        for (const id of ids) missing.delete(id);
        return missing.size === 0;
      }).then((ids) => ids.forEach((id) => missing.delete(id)));
    } catch (e) {
      throw new Error(`An error occured checking user ids for group ${JSON.stringify(groupId)}, error: ${errorText(e)}`);
    }
    if (missing.size > 0) d.set("users", oldUsers.filter((id) => !missing.has(id)));
  },

  async update(p, d, prior: Obj) {
    const groupId = d.getString("group_id");
    const before = new Set(Array.isArray(prior.users) ? (prior.users as string[]) : []);
    const after = new Set(d.getStringSet("users"));
    const toAdd = setOrder([...after].filter((u) => !before.has(u)));
    const toRemove = setOrder([...before].filter((u) => !after.has(u)));
    // 4.20.0 builds diagnostics from both errors and never returns them.
    await addGroupMembers(p, groupId, toAdd).catch(() => undefined);
    await removeGroupMembers(p, groupId, toRemove).catch(() => undefined);
  },

  async delete(p, d) {
    await removeGroupMembers(p, d.getString("group_id"), d.getStringSet("users"));
  },

  async importState(p, d, importId) {
    const parts = importId.split("/");
    if (parts.length > 2) throw new Error("invalid format used for import ID, format must be 'group_id' or 'group_id/true'");
    if (parts.length === 2) d.set("track_all_users", parts[1] === "true");
    const groupId = parts[0]!;
    d.setId(groupId);
    d.set("group_id", groupId);
    if (!p.release.traits.membershipsImportFillsUsers) return;
    try {
      const members = await allPages(p, await p.client.call("GET", `/api/v1/groups/${groupId}/users?limit=200`));
      d.set("users", setOrder(members.map((u) => u.id)));
    } catch (e) {
      throw new Error(`error fetching group users during import: ${errorText(e)} ID is ${groupId}`);
    }
  },
};
