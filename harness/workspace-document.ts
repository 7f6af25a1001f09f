// A format-v1 workspace document for end-to-end tests: an owner who extended
// every account, and `viewers` people, each account seen by one of them.
// Every person has an Okta user ID, so that the harness seeds them.
export interface DocumentOptions {
  /** People besides the owner (default 1); account `index` is seen by `u-<index % viewers>`. */
  readonly viewers?: number;
  /** Account IDs and names by position (default `a-<index>`, `<workspace id> <index>`). */
  readonly accountId?: (index: number) => string;
  readonly accountName?: (index: number) => string;
}

export function workspaceDocument(id: string, accounts: number, options: DocumentOptions = {}) {
  const viewers = options.viewers ?? 1;
  return {
    version: 1,
    workspace: { id, name: id, extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
    users: [
      { id: "u-owner", email: `owner@${id}.example`, oktaUserId: `00u${id}owner`, workspaceRole: "owner" },
      ...Array.from({ length: viewers }, (_, index) => ({ id: `u-${index}`, email: `user${index}@${id}.example`, oktaUserId: `00u${id}${index}`, workspaceRole: "user" })),
    ],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: options.accountId?.(index) ?? `a-${index}`,
      name: options.accountName?.(index) ?? `${id} ${index}`,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }, { user: `u-${index % viewers}`, role: "collaborator" }],
      okta: { extendedBy: "u-owner", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}
