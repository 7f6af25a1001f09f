// Builds checked workspaces in memory, as loadWorkspaces would return them,
// for tests of the domain rules. Defaults are valid; pass only what matters.
import type { Workspace } from "../../src/workspace/model.ts";
import type { Account, AccountRole, Grant, Team, User, WorkspaceSettings } from "../../src/domain/model.ts";

export interface WorkspaceSpec {
  readonly id?: string;
  readonly name?: string;
  /** Omit the key to leave the switch missing; `undefined` also leaves it missing. */
  readonly extendedAccountAccess?: boolean | undefined;
  readonly orgName?: string;
  readonly baseUrl?: string;
  readonly loginUrl?: string;
  readonly users?: readonly User[];
  readonly teams?: readonly Team[];
  readonly accounts?: readonly Account[];
}

/** A workspace with Extended account access on (unless said otherwise) in org acme.okta.com. */
export function makeWorkspace(spec: WorkspaceSpec = {}): Workspace {
  const id = spec.id ?? "ws-test";
  const settings: WorkspaceSettings = {
    id,
    name: spec.name ?? `Workspace ${id}`,
    ...("extendedAccountAccess" in spec
      ? spec.extendedAccountAccess === undefined
        ? {}
        : { extendedAccountAccess: spec.extendedAccountAccess }
      : { extendedAccountAccess: true }),
    okta: { orgName: spec.orgName ?? "acme", baseUrl: spec.baseUrl ?? "okta.com" },
    ...(spec.loginUrl === undefined ? {} : { loginUrl: spec.loginUrl }),
  };
  return {
    folder: `workspaces/${id}`,
    settingsAt: () => ({ file: `workspaces/${id}/workspace.yaml`, line: 3, column: 3 }),
    settings,
    users: [...(spec.users ?? [])],
    teams: [...(spec.teams ?? [])],
    accounts: [...(spec.accounts ?? [])],
  };
}

/** A user with workspace role `user`, email `<id>@example.com` and no Okta status. */
export function makeUser(id: string, extra: Partial<Omit<User, "id">> = {}): User {
  return { id, email: `${id}@example.com`, workspaceRole: "user", ...extra };
}

/** A self-managed team (no oktaGroupId) unless `oktaGroupId` is given. */
export function makeTeam(id: string, members: readonly string[], oktaGroupId?: string): Team {
  return { id, name: `Team ${id}`, members: [...members], ...(oktaGroupId === undefined ? {} : { oktaGroupId }) };
}

export const userGrant = (user: string, role: AccountRole): Grant => ({ user, role });
export const teamGrant = (team: string, role: AccountRole): Grant => ({ team, role });

export interface AccountSpec {
  readonly name?: string;
  readonly app?: string;
  readonly grants?: readonly Grant[];
  /** Who extended it and when; omit for an account that is not extended. */
  readonly extendedBy?: string;
  readonly extendedAt?: string;
}

/** An account named "Contentzilla" on "Instagram"; extended when `extendedBy` is given. */
export function makeAccount(id: string, spec: AccountSpec = {}): Account {
  return {
    id,
    name: spec.name ?? "Contentzilla",
    app: spec.app ?? "Instagram",
    grants: [...(spec.grants ?? [])],
    ...(spec.extendedBy === undefined
      ? {}
      : { okta: { extendedBy: spec.extendedBy, extendedAt: spec.extendedAt ?? "2026-02-01T09:00:00Z" } }),
  };
}

/** An account extended by `owner`, who holds the owner grant directly. */
export function ownedAccount(id: string, owner: string, spec: Omit<AccountSpec, "extendedBy"> = {}): Account {
  return makeAccount(id, { ...spec, grants: [userGrant(owner, "owner"), ...(spec.grants ?? [])], extendedBy: owner });
}
