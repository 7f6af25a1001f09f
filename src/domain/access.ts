// R2 (who may extend) and R5 (who sees the chiclet), for one account.
import { HIDDEN_OKTA_STATUSES, NON_EXTENDING_ROLES, VIEWING_ROLES, type Account, type Team, type User } from "./model.ts";
import { compareText } from "../text/printable.ts";

/** Users and teams of a workspace by ID. */
export interface Directory {
  readonly users: ReadonlyMap<string, User>;
  readonly teams: ReadonlyMap<string, Team>;
}

export function buildDirectory(users: readonly User[], teams: readonly Team[]): Directory {
  return {
    users: new Map(users.map((user) => [user.id, user])),
    teams: new Map(teams.map((team) => [team.id, team])),
  };
}

export interface Viewers {
  /** Cerby user IDs who see the chiclet directly or through a self-managed team, sorted. */
  readonly users: string[];
  /** Okta group IDs of IdP-managed teams that see it, sorted. */
  readonly groups: string[];
}

/** Everyone holding `owner` or `collaborator`, less users suspended or deprovisioned in Okta. */
export function viewersOf(account: Account, directory: Directory): Viewers {
  const users = new Set<string>();
  const groups = new Set<string>();
  const addUser = (userId: string) => {
    const status = directory.users.get(userId)?.oktaStatus;
    if (status === undefined || !HIDDEN_OKTA_STATUSES.has(status)) users.add(userId);
  };
  for (const grant of account.grants ?? []) {
    if (!VIEWING_ROLES.has(grant.role)) continue;
    if (grant.user !== undefined) addUser(grant.user);
    if (grant.team !== undefined) {
      const team = directory.teams.get(grant.team);
      // An IdP-managed team *is* its Okta group: Okta knows its members.
      if (team?.oktaGroupId !== undefined) groups.add(team.oktaGroupId);
      else for (const member of team?.members ?? []) addUser(member);
    }
  }
  return { users: [...users].sort(compareText), groups: [...groups].sort(compareText) };
}

/** R2: why `extendedBy` may not extend this account, or undefined when they may. */
export function extensionRefusal(account: Account, extendedBy: string, directory: Directory): string | undefined {
  const user = directory.users.get(extendedBy);
  if (!user) return `extended by unknown user ${extendedBy}`;
  if (NON_EXTENDING_ROLES.has(user.workspaceRole)) {
    return `extended by ${extendedBy}, whose workspace role ${user.workspaceRole} may not extend accounts`;
  }
  const ownsDirectly = (account.grants ?? []).some((grant) => grant.role === "owner" && grant.user === extendedBy);
  const ownsThroughTeam = (account.grants ?? []).some(
    (grant) =>
      grant.role === "owner" &&
      grant.team !== undefined &&
      (directory.teams.get(grant.team)?.members ?? []).includes(extendedBy),
  );
  if (!ownsDirectly && !ownsThroughTeam) {
    return `extended by ${extendedBy}, who does not hold the owner role on this account (directly or through a team)`;
  }
  return undefined;
}
