// Who leaves the workspace because Okta says so (R7), and what they lose.
// Pure: no I/O, so the rule is tested apart from both APIs.
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { HIDDEN_OKTA_STATUSES, type Account, type Team, type User } from "../domain/model.ts";
import { compareText } from "../text/printable.ts";

export interface Removal {
  readonly userId: string;
  readonly email: string;
  readonly oktaStatus: string;
  /** File holding the user entry. */
  readonly file: string;
  /** `cerby-api`: removed through the API; `yaml`: removed from the YAML files. */
  readonly via: "cerby-api" | "yaml";
  /**
   * Labels of the chiclets they see today, as Okta holds them (R4's
   * numbering, from the desired state), sorted; none when Okta already hides
   * everything from them (`alreadyHidden`).
   */
  readonly chiclets: readonly string[];
  /** The hiding status already recorded in the workspace (`oktaStatus`): they see nothing today, so lose nothing new. */
  readonly alreadyHidden?: string;
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

/**
 * Removals for every user whose Okta status calls for one, sorted by user ID.
 * `desired` is the workspace's desired state, computed with every workspace
 * of its Okta org, so that labels carry the numbers Okta shows.
 */
export function planRemovals(workspace: Workspace, statuses: ReadonlyMap<string, string>, desired: Pick<DesiredWorkspace, "chiclets">): Removal[] {
  const teams = workspace.teams.map((team) => team.value);
  const accounts = workspace.accounts.map((account) => account.value);
  return workspace.users
    .filter(({ value }) => HIDDEN_OKTA_STATUSES.has(statuses.get(value.id) ?? ""))
    .map(({ value: user, file }) => {
      const memberOf = teams.filter((team) => team.members?.includes(user.id)).map((team) => team.id);
      const alreadyHidden = user.oktaStatus !== undefined && HIDDEN_OKTA_STATUSES.has(user.oktaStatus) ? user.oktaStatus : undefined;
      const seen = alreadyHidden ? [] : chicletsSeenBy(desired, teams, user.id);
      return {
        userId: user.id,
        email: user.email,
        oktaStatus: statuses.get(user.id)!,
        file: file.name,
        via: file.kind === "json" ? ("cerby-api" as const) : ("yaml" as const),
        chiclets: seen.map((chiclet) => chiclet.label).sort(compareText),
        ...(alreadyHidden ? { alreadyHidden } : {}),
        grants: sorted(accounts.filter((account) => (account.grants ?? []).some((grant) => grant.user === user.id)).map((account) => account.id)),
        teams: sorted(memberOf),
        extended: sorted(accounts.filter((account) => account.okta?.extendedBy === user.id).map((account) => account.id)),
      };
    })
    .sort((a, b) => compareText(a.userId, b.userId));
}

/** The chiclets a user sees, as the desired state labels them (R4): granted directly, or through an IdP-managed team (its Okta group). */
export function chicletsSeenBy(desired: Pick<DesiredWorkspace, "chiclets">, teams: readonly Team[], userId: string): DesiredWorkspace["chiclets"][number][] {
  const memberOf = new Set(teams.filter((team) => team.members?.includes(userId)).map((team) => team.id));
  const groups = new Set(teams.filter((team) => team.oktaGroupId !== undefined && memberOf.has(team.id)).map((team) => team.oktaGroupId!));
  return desired.chiclets.filter((chiclet) => chiclet.users.includes(userId) || chiclet.groups.some((group) => groups.has(group)));
}
