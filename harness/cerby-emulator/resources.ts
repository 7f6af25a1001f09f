// The Cerby API's items as the emulator serves them: JSON:API resources in the
// shapes src/cerby-api/mapping.ts reads (correct both together), builders for
// hand-made test data, and a workspace of the repository's format turned into
// them (what `npm run sandbox -- --cerby` and the end-to-end tests seed).
import type { WorkspaceInput } from "../../src/domain/model.ts";

export interface Resource {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: { id: string; type: string } }>;
}

/** One workspace's items. */
export interface CerbyData {
  users: Resource[];
  teams: Resource[];
  accounts: Resource[];
  /** By team ID. */
  members: Record<string, Resource[]>;
  /** By account ID: the account's user grants. */
  accountUsers: Record<string, Resource[]>;
  /** By account ID: the account's team grants. */
  accountTeams: Record<string, Resource[]>;
}

export function user(id: string, email: string, role = "User", extra: Record<string, unknown> = {}): Resource {
  return { id, type: "users", attributes: { email, role, ...extra } };
}

export function team(id: string, name: string, oktaGroupId?: string): Resource {
  return { id, type: "teams", attributes: { name, ...(oktaGroupId ? { oktaGroupId } : {}) } };
}

export function account(id: string, name: string, app: string, extended?: { by: string; at: string }): Resource {
  return {
    id,
    type: "accounts",
    attributes: { name, app, ...(extended ? { okta: { extendedBy: extended.by, extendedAt: extended.at } } : {}) },
  };
}

/** A membership or grant resource pointing at a user or team. */
export function ref(kind: "user" | "team", id: string, role?: string): Resource {
  return {
    id: `${kind}-link-${id}`,
    type: kind === "user" ? "account-users" : "account-teams",
    attributes: role ? { role } : {},
    relationships: { [kind]: { data: { id, type: `${kind}s` } } },
  };
}

export function emptyData(): CerbyData {
  return { users: [], teams: [], accounts: [], members: {}, accountUsers: {}, accountTeams: {} };
}

/**
 * What Cerby holds for a workspace of the repository's format. `oktaStatus`
 * is Okta's, not Cerby's, and is left out; the `workspace:` settings are
 * not served (docs/snapshot-and-deprovision.md, "Workspace settings").
 */
export function dataFromWorkspace(workspace: WorkspaceInput): CerbyData {
  const data = emptyData();
  for (const member of workspace.users) {
    data.users.push(user(member.id, member.email, member.workspaceRole, member.oktaUserId ? { oktaUserId: member.oktaUserId } : {}));
  }
  for (const one of workspace.teams) {
    data.teams.push(team(one.id, one.name, one.oktaGroupId));
    data.members[one.id] = (one.members ?? []).map((id) => ref("user", id));
  }
  for (const one of workspace.accounts) {
    data.accounts.push(account(one.id, one.name, one.app, one.okta ? { by: one.okta.extendedBy, at: one.okta.extendedAt } : undefined));
    const grants = one.grants ?? [];
    data.accountUsers[one.id] = grants.filter((grant) => grant.user !== undefined).map((grant) => ref("user", grant.user!, grant.role));
    data.accountTeams[one.id] = grants.filter((grant) => grant.team !== undefined).map((grant) => ref("team", grant.team!, grant.role));
  }
  return data;
}

/** The user or team a grant or membership resource points at, read as mapping.ts reads it. */
export function targetOf(resource: Resource, kind: "user" | "team"): string {
  const attribute = resource.attributes[`${kind}Id`];
  return resource.relationships?.[kind]?.data.id ?? (typeof attribute === "string" ? attribute : resource.id);
}

/**
 * The accounts `creator` owns: `owner` on the account directly, or through a
 * team they are a member of. A Cerby API key sees only these, even in
 * all-access mode (Cerby's developer documentation).
 */
export function ownedAccountIds(data: CerbyData, creator: string): Set<string> {
  const teams = new Set(
    Object.entries(data.members)
      .filter(([, members]) => members.some((member) => targetOf(member, "user") === creator))
      .map(([teamId]) => teamId),
  );
  const isOwner = (grant: Resource) => String(grant.attributes.role ?? "").toLowerCase() === "owner";
  const owned = new Set<string>();
  for (const item of data.accounts) {
    const direct = (data.accountUsers[item.id] ?? []).some((grant) => isOwner(grant) && targetOf(grant, "user") === creator);
    const viaTeam = (data.accountTeams[item.id] ?? []).some((grant) => isOwner(grant) && teams.has(targetOf(grant, "team")));
    if (direct || viaTeam) owned.add(item.id);
  }
  return owned;
}
