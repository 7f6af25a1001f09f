// Who leaves the workspace because Okta says so (R7), and what they lose.
// Pure: no I/O, so the rule is tested apart from both APIs.
import { baseLabel } from "../domain/labels.ts";
import { HIDDEN_OKTA_STATUSES, VIEWING_ROLES, type Account, type Team, type User } from "../domain/model.ts";
import { compareText } from "../text/printable.ts";

export interface Removal {
  readonly userId: string;
  readonly email: string;
  readonly oktaStatus: string;
  /** File holding the user entry. */
  readonly file: string;
  /** `cerby-api`: removed through the API; `yaml`: removed from the YAML files. */
  readonly via: "cerby-api" | "yaml";
  /** Labels `<account name> - <app>` of extended accounts they see, sorted. */
  readonly chiclets: readonly string[];
  /** IDs of accounts where they hold a grant themselves. */
  readonly grants: readonly string[];
  /** IDs of teams they are a member of. */
  readonly teams: readonly string[];
  /** Accounts they extended: these need a new `extendedBy`, or they are rejected. */
  readonly extended: readonly string[];
}

export interface Workspace {
  readonly users: readonly { readonly value: User; readonly file: { readonly name: string; readonly kind: "yaml" | "json" } }[];
  readonly teams: readonly { readonly value: Team }[];
  readonly accounts: readonly { readonly value: Account }[];
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort(compareText);

/** Removals for every user whose Okta status calls for one, sorted by user ID. */
export function planRemovals(workspace: Workspace, statuses: ReadonlyMap<string, string>): Removal[] {
  const teams = workspace.teams.map((team) => team.value);
  const accounts = workspace.accounts.map((account) => account.value);
  return workspace.users
    .filter(({ value }) => HIDDEN_OKTA_STATUSES.has(statuses.get(value.id) ?? ""))
    .map(({ value: user, file }) => {
      const { memberOf, holds } = grantsOf(user.id, teams);
      return {
        userId: user.id,
        email: user.email,
        oktaStatus: statuses.get(user.id)!,
        file: file.name,
        via: file.kind === "json" ? ("cerby-api" as const) : ("yaml" as const),
        chiclets: sorted(accounts.filter((account) => account.okta && holds(account, VIEWING_ROLES)).map(baseLabel)),
        grants: sorted(accounts.filter((account) => (account.grants ?? []).some((grant) => grant.user === user.id)).map((account) => account.id)),
        teams: sorted(memberOf),
        extended: sorted(accounts.filter((account) => account.okta?.extendedBy === user.id).map((account) => account.id)),
      };
    })
    .sort((a, b) => compareText(a.userId, b.userId));
}

/** The teams a user is a member of, and whether they hold one of `roles` (any, when undefined) on an account, directly or through a team. */
function grantsOf(userId: string, teams: readonly Team[]) {
  const memberOf = teams.filter((team) => team.members?.includes(userId)).map((team) => team.id);
  const memberSet = new Set(memberOf);
  const holds = (account: Account, roles: ReadonlySet<string> | undefined) =>
    (account.grants ?? []).some(
      (grant) => (roles === undefined || roles.has(grant.role)) && (grant.user === userId || (grant.team !== undefined && memberSet.has(grant.team))),
    );
  return { memberOf, holds };
}

/** Labels `<account name> - <app>` of the extended accounts a user sees, sorted. */
export function chicletsSeenBy(workspace: Workspace, userId: string): string[] {
  const { holds } = grantsOf(userId, workspace.teams.map((team) => team.value));
  return sorted(workspace.accounts.map((account) => account.value).filter((account) => account.okta && holds(account, VIEWING_ROLES)).map(baseLabel));
}
