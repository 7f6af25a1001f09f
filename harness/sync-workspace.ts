// A workspace document for the end-to-end sync tests: `accounts` accounts,
// each owned by one owner and seen by one of `users` collaborators, all
// extended at the same instant (so R4 numbers by account ID).
export interface SyncWorkspaceOptions {
  /** Collaborators, `u-0` ... (default 3); account i is seen by `u-(i mod users)`. */
  readonly users?: number;
  readonly orgName?: string;
  /** Account i's ID (default `a-<i>`). */
  readonly accountId?: (index: number) => string;
  /** Account i's name (default `Brand <i>`): its chiclet is `<name> - Instagram`. */
  readonly name?: (index: number) => string;
}

export function syncWorkspace(id: string, accounts: number, options: SyncWorkspaceOptions = {}) {
  const users = options.users ?? 3;
  return {
    version: 1,
    workspace: { id, name: id, extendedAccountAccess: true, okta: { orgName: options.orgName ?? "acme", baseUrl: "okta.com" } },
    users: [
      { id: "u-owner", email: `owner@${id}.example`, oktaUserId: `00u${id}owner`, workspaceRole: "owner" },
      ...Array.from({ length: users }, (_, index) => ({ id: `u-${index}`, email: `user${index}@${id}.example`, oktaUserId: `00u${id}${index}`, workspaceRole: "user" })),
    ],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: options.accountId?.(index) ?? `a-${index}`,
      name: options.name?.(index) ?? `Brand ${index}`,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }, { user: `u-${index % users}`, role: "collaborator" }],
      okta: { extendedBy: "u-owner", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

