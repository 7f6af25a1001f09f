// What an Okta org already holds that a plan could duplicate: bookmark apps
// (by label, compared as R4 compares them) and our access groups (by name).
// Listing costs one request per 200 objects, far less than one search per
// planned label; a run reads each org's apps once, whatever its stacks.
import { oktaOrgKey } from "../domain/desired-state.ts";
import { labelKey } from "../domain/labels.ts";
import type { OktaClient } from "./client.ts";

/** A bookmark app as Okta lists it. */
export interface OrgApp {
  readonly id: string;
  readonly label: string;
  readonly url: string;
  readonly status: string;
}

/** Apps and groups that already exist in the Okta org, for a plan's creates to be checked against. */
export interface ExistingObjects {
  /** Bookmark apps by label key (`labelKey`: trimmed, white space collapsed, case ignored); more than one when Okta holds look-alikes. */
  readonly appsByLabelKey: ReadonlyMap<string, readonly OrgApp[]>;
  /** Okta group IDs by group name. */
  readonly groupsByName: ReadonlyMap<string, string>;
}

/** The apps by label key, beside the groups by name. */
export function existingObjects(apps: readonly OrgApp[], groupsByName: ReadonlyMap<string, string>): ExistingObjects {
  const appsByLabelKey = new Map<string, OrgApp[]>();
  for (const app of apps) {
    const key = labelKey(app.label);
    appsByLabelKey.set(key, [...(appsByLabelKey.get(key) ?? []), app]);
  }
  return { appsByLabelKey, groupsByName };
}

export interface OktaOrg {
  readonly orgName: string;
  readonly baseUrl: string;
}

/**
 * What a run reads of each Okta org, read once per run (per org, and per
 * group-name prefix): every stack of the run (shards, workspaces of one org)
 * shares one listing. Plans change nothing in Okta, so a listing stays true
 * for the whole run; a run that applies (watch) makes a new memo per sync.
 */
export class OrgObjectsMemo {
  private readonly apps = new Map<string, Promise<OrgApp[]>>();
  private readonly groups = new Map<string, Promise<Map<string, string>>>();
  private readonly clients = new Map<string, OktaClient>();

  constructor(private readonly clientFor: (org: OktaOrg) => OktaClient) {}

  /** The org's bookmark apps and the groups whose name starts with `groupPrefix`. */
  async existing(org: OktaOrg, groupPrefix: string): Promise<ExistingObjects> {
    const [apps, groupsByName] = await Promise.all([this.orgApps(org), this.orgGroups(org, groupPrefix)]);
    return existingObjects(apps, groupsByName);
  }

  /** Whether Okta still has this app (any kind); one request, for IDs the listing did not show. */
  async appExists(org: OktaOrg, appId: string): Promise<boolean> {
    if ((await this.orgApps(org)).some((app) => app.id === appId)) return true;
    return (await this.client(org).getUnlessGone(`api/v1/apps/${encodeURIComponent(appId)}`)) !== undefined;
  }

  async groupExists(org: OktaOrg, groupId: string, groupPrefix: string): Promise<boolean> {
    if ([...(await this.orgGroups(org, groupPrefix)).values()].includes(groupId)) return true;
    return (await this.client(org).getUnlessGone(`api/v1/groups/${encodeURIComponent(groupId)}`)) !== undefined;
  }

  private client(org: OktaOrg): OktaClient {
    const key = oktaOrgKey(org);
    let client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = this.clientFor(org)));
    return client;
  }

  private orgApps(org: OktaOrg): Promise<OrgApp[]> {
    const key = oktaOrgKey(org);
    let apps = this.apps.get(key);
    if (!apps) this.apps.set(key, (apps = listBookmarkApps(this.client(org))));
    return apps;
  }

  private orgGroups(org: OktaOrg, prefix: string): Promise<Map<string, string>> {
    const key = JSON.stringify([oktaOrgKey(org), prefix]);
    let groups = this.groups.get(key);
    if (!groups) this.groups.set(key, (groups = listGroups(this.client(org), prefix)));
    return groups;
  }
}

async function listBookmarkApps(client: OktaClient): Promise<OrgApp[]> {
  const apps: OrgApp[] = [];
  for (const app of await client.listAll("api/v1/apps", { filter: 'name eq "bookmark"', limit: "200" })) {
    const { id, label, status, settings } = app as { id?: unknown; label?: unknown; status?: unknown; settings?: { app?: { url?: unknown } } };
    if (typeof id !== "string" || typeof label !== "string") continue;
    apps.push({ id, label, url: typeof settings?.app?.url === "string" ? settings.app.url : "", status: typeof status === "string" ? status : "" });
  }
  return apps;
}

async function listGroups(client: OktaClient, prefix: string): Promise<Map<string, string>> {
  const groupsByName = new Map<string, string>();
  const search = `profile.name sw "${prefix.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  for (const group of await client.listAll("api/v1/groups", { search, limit: "200" })) {
    const { id, profile } = group as { id?: unknown; profile?: { name?: unknown } };
    if (typeof id === "string" && typeof profile?.name === "string") groupsByName.set(profile.name, id);
  }
  return groupsByName;
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
