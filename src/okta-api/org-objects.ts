// What an Okta org already holds that a first sync could duplicate: bookmark
// apps (by label) and groups (by name). Listing costs one request per 200
// objects, far less than one search per planned label.
import type { OktaClient } from "./client.ts";

/** Apps and groups that already exist in the Okta org, for a first sync to check against. */
export interface ExistingObjects {
  /** Okta app IDs of bookmark apps by label (more than one when Okta holds duplicates already). */
  readonly appsByLabel: ReadonlyMap<string, readonly string[]>;
  /** Okta group IDs by group name. */
  readonly groupsByName: ReadonlyMap<string, string>;
}

/** Bookmark apps by label, and the groups whose name starts with `groupPrefix`, by name. */
export async function readExistingObjects(client: OktaClient, groupPrefix: string): Promise<ExistingObjects> {
  const appsByLabel = new Map<string, string[]>();
  for (const app of await client.listAll("api/v1/apps", { filter: 'name eq "bookmark"', limit: "200" })) {
    const { id, label } = app as { id?: unknown; label?: unknown };
    if (typeof id !== "string" || typeof label !== "string") continue;
    appsByLabel.set(label, [...(appsByLabel.get(label) ?? []), id]);
  }
  const groupsByName = new Map<string, string>();
  const search = `profile.name sw "${groupPrefix.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  for (const group of await client.listAll("api/v1/groups", { search, limit: "200" })) {
    const { id, profile } = group as { id?: unknown; profile?: { name?: unknown } };
    if (typeof id === "string" && typeof profile?.name === "string") groupsByName.set(profile.name, id);
  }
  return { appsByLabel, groupsByName };
}

/** What an apply left in Okta for one app and its access group, read directly. */
export interface AccessReader {
  /** IDs of the groups assigned to the app; undefined when the app is gone. */
  appGroups(appId: string): Promise<string[] | undefined>;
  /** IDs of the group's members; undefined when the group is gone. */
  groupMembers(groupId: string): Promise<string[] | undefined>;
}

const ids = (objects: readonly unknown[] | undefined) =>
  objects?.flatMap((object) => {
    const id = (object as { id?: unknown } | null)?.id;
    return typeof id === "string" ? [id] : [];
  });

export function accessReader(client: OktaClient): AccessReader {
  return {
    appGroups: async (appId) => ids(await client.listAllUnlessGone(`api/v1/apps/${encodeURIComponent(appId)}/groups`, { limit: "200" })),
    groupMembers: async (groupId) => ids(await client.listAllUnlessGone(`api/v1/groups/${encodeURIComponent(groupId)}/users`, { limit: "200" })),
  };
}
