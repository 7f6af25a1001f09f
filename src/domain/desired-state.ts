// From checked workspaces to what Okta should hold: R1–R6 and the format's
// "Meaning" section. Pure: no I/O, no cdktf. Lists are sorted so that the
// same input in any order gives the same result.
import type { WorkspaceInput, WorkspaceSettings } from "./model.ts";
import { buildDirectory, extensionRefusal, viewersOf, type Directory } from "./access.ts";
import { assignLabels, type LabelRequest } from "./labels.ts";
import { compareText, printable } from "../text/printable.ts";
import type { ReaderNames } from "./readers.ts";

/** Used when a workspace sets no `loginUrl`. */
export const DEFAULT_LOGIN_URL = "https://app.cerby.com/accounts/{accountId}/login";

export interface Chiclet {
  readonly accountId: string;
  /** Final label, numbered when it collides within the Okta org (R4). */
  readonly label: string;
  readonly url: string;
  /** Cerby user IDs who see it directly or through a self-managed team, sorted. */
  readonly users: readonly string[];
  /** Okta group IDs of IdP-managed teams that see it, sorted. */
  readonly groups: readonly string[];
  readonly extendedBy: string;
  /** ISO 8601, as given. */
  readonly extendedAt: string;
}

export interface Rejection {
  readonly accountId: string;
  readonly reason: string;
}

/** A person who sees at least one chiclet directly: what Okta needs to find them. */
export interface Person {
  readonly id: string;
  readonly email: string;
  readonly oktaUserId?: string;
}

export interface DesiredWorkspace {
  readonly id: string;
  readonly name: string;
  /** Org, domain and rate-limit settings for the okta/okta provider. */
  readonly okta: WorkspaceSettings["okta"];
  /** R1: false when Extended account access is off; then nothing is synthesized. */
  readonly synced: boolean;
  /** Sorted by account ID. */
  readonly chiclets: readonly Chiclet[];
  /** Sorted by account ID. */
  readonly rejected: readonly Rejection[];
  /** Accounts without an `okta:` block: not extended, not an error. */
  readonly notExtended: number;
  /** Everyone listed in some chiclet's `users`, sorted by ID. */
  readonly people: readonly Person[];
  /** Cerby user ID -> Okta user ID for every user of the workspace whose Okta ID is known (for naming people in reports). */
  readonly knownOktaUserIds: Readonly<Record<string, string>>;
  /** Every user's login and every IdP-managed team's name, for naming them in plans and reviews. */
  readonly names?: ReaderNames;
  /** Problems worth a look that do not stop the sync; rejections are listed apart. */
  readonly warnings: readonly string[];
  /** Okta group ID -> the IdP-managed team it is, for the teams some chiclet is assigned to (to name them in warnings). */
  readonly idpTeams?: Readonly<Record<string, { readonly id: string; readonly name: string }>>;
}

export interface DesiredState {
  /** Sorted by workspace ID. */
  readonly workspaces: readonly DesiredWorkspace[];
}

/** Okta orgs are told apart by org name and domain, case-insensitively. */
export function oktaOrgKey(okta: { orgName: string; baseUrl: string }): string {
  return `${okta.orgName}.${okta.baseUrl}`.toLowerCase();
}

export function chicletUrl(loginUrl: string | undefined, accountId: string): string {
  return (loginUrl ?? DEFAULT_LOGIN_URL).replaceAll("{accountId}", encodeURIComponent(accountId));
}

interface Extended {
  readonly workspace: WorkspaceInput;
  readonly accountIndex: number;
}

export function computeDesiredState(workspaces: readonly WorkspaceInput[]): DesiredState {
  const sorted = [...workspaces].sort((a, b) => compareText(a.settings.id, b.settings.id));
  const directories = new Map<string, Directory>(sorted.map((ws) => [ws.settings.id, buildDirectory(ws.users, ws.teams)]));

  // First pass: which accounts are extended (R1, R2).
  const extended = new Map<string, Extended[]>();
  const rejections = new Map<string, Rejection[]>();
  for (const workspace of sorted) {
    const directory = directories.get(workspace.settings.id)!;
    const accepted: Extended[] = [];
    const rejected: Rejection[] = [];
    if (workspace.settings.extendedAccountAccess === true) {
      workspace.accounts.forEach((account, accountIndex) => {
        if (!account.okta) return;
        const refusal = extensionRefusal(account, account.okta.extendedBy, directory);
        if (refusal) rejected.push({ accountId: account.id, reason: refusal });
        else accepted.push({ workspace, accountIndex });
      });
    }
    extended.set(workspace.settings.id, accepted);
    rejections.set(workspace.settings.id, rejected.sort((a, b) => compareText(a.accountId, b.accountId)));
  }

  // Second pass: labels are numbered per Okta org, across every workspace syncing to it (R4).
  const requestsByOrg = new Map<string, LabelRequest[]>();
  for (const workspace of sorted) {
    const requests = requestsByOrg.get(oktaOrgKey(workspace.settings.okta)) ?? [];
    for (const { accountIndex } of extended.get(workspace.settings.id)!) {
      const account = workspace.accounts[accountIndex]!;
      requests.push({
        key: labelRequestKey(workspace.settings.id, account.id),
        names: account,
        extendedAtMs: Date.parse(account.okta!.extendedAt),
        accountId: account.id,
      });
    }
    requestsByOrg.set(oktaOrgKey(workspace.settings.okta), requests);
  }
  const labels = new Map<string, string>();
  for (const requests of requestsByOrg.values()) for (const [key, label] of assignLabels(requests)) labels.set(key, label);

  return {
    workspaces: sorted.map((workspace) =>
      describeWorkspace(workspace, directories.get(workspace.settings.id)!, extended.get(workspace.settings.id)!, rejections.get(workspace.settings.id)!, labels),
    ),
  };
}

function labelRequestKey(workspaceId: string, accountId: string): string {
  return `${workspaceId}\u0000${accountId}`;
}

function describeWorkspace(
  workspace: WorkspaceInput,
  directory: Directory,
  extended: readonly Extended[],
  rejected: readonly Rejection[],
  labels: ReadonlyMap<string, string>,
): DesiredWorkspace {
  const { settings } = workspace;
  const chiclets: Chiclet[] = extended.map(({ accountIndex }) => {
    const account = workspace.accounts[accountIndex]!;
    const viewers = viewersOf(account, directory);
    return {
      accountId: account.id,
      label: labels.get(labelRequestKey(settings.id, account.id))!,
      url: chicletUrl(settings.loginUrl, account.id),
      users: viewers.users,
      groups: viewers.groups,
      extendedBy: account.okta!.extendedBy,
      extendedAt: account.okta!.extendedAt,
    };
  });
  chiclets.sort((a, b) => compareText(a.accountId, b.accountId));

  const peopleIds = new Set(chiclets.flatMap((chiclet) => chiclet.users));
  const people: Person[] = [...peopleIds].sort(compareText).map((id) => {
    const user = directory.users.get(id)!;
    return user.oktaUserId === undefined ? { id, email: user.email } : { id, email: user.email, oktaUserId: user.oktaUserId };
  });

  const warnings: string[] = [];
  const synced = settings.extendedAccountAccess === true;
  if (!synced) {
    warnings.push("Extended account access is off: nothing is synthesized and what is already in Okta stays as it is (R1)");
  }
  const unresolved = people.filter((person) => person.oktaUserId === undefined).length;
  if (unresolved > 0) {
    warnings.push(`${unresolved} user${unresolved === 1 ? " has" : "s have"} no oktaUserId: Terraform looks each up by login on every plan`);
  }
  for (const chiclet of chiclets) {
    if (chiclet.users.length === 0 && chiclet.groups.length === 0) {
      warnings.push(`account ${chiclet.accountId}: nobody active holds owner or collaborator, so nobody sees "${printable(chiclet.label)}"`);
    }
  }

  return {
    id: settings.id,
    name: settings.name,
    okta: settings.okta,
    synced,
    chiclets,
    rejected,
    notExtended: workspace.accounts.filter((account) => !account.okta).length,
    people,
    knownOktaUserIds: knownOktaUserIdsOf(workspace),
    names: readerNamesOf(workspace),
    warnings,
    idpTeams: idpTeamsOf(workspace, new Set(chiclets.flatMap((chiclet) => chiclet.groups))),
  };
}

/** Cerby user ID -> Okta user ID, in an object without a prototype: an ID such as `constructor` is a key like any other. */
function knownOktaUserIdsOf(workspace: WorkspaceInput): Record<string, string> {
  const known: Record<string, string> = Object.create(null);
  for (const user of workspace.users) if (user.oktaUserId !== undefined) known[user.id] = user.oktaUserId;
  return known;
}

/** Logins by Cerby user ID, team names by Okta group ID (IdP-managed teams), without prototypes. */
function readerNamesOf(workspace: WorkspaceInput): ReaderNames {
  const people: Record<string, string> = Object.create(null);
  const teams: Record<string, string> = Object.create(null);
  for (const user of workspace.users) people[user.id] = user.email;
  for (const team of workspace.teams) if (team.oktaGroupId !== undefined) teams[team.oktaGroupId] = team.name;
  return { people, teams };
}

function idpTeamsOf(workspace: WorkspaceInput, used: ReadonlySet<string>): Record<string, { id: string; name: string }> {
  const teams: Record<string, { id: string; name: string }> = Object.create(null);
  for (const team of workspace.teams) if (team.oktaGroupId !== undefined && used.has(team.oktaGroupId)) teams[team.oktaGroupId] ??= { id: team.id, name: team.name };
  return teams;
}

/** Every warning of a workspace, rejected accounts first (the format asks that each is named in a warning). */
export function workspaceWarnings(workspace: DesiredWorkspace): string[] {
  return [
    ...workspace.rejected.map((rejection) => `account ${rejection.accountId} rejected: ${rejection.reason}`),
    ...workspace.warnings,
  ];
}

/** A long list of warnings buries what follows: the rest are one `preview` away. */
const MAX_WARNINGS_SHOWN = 20;

/** The warnings of every workspace as `warning:` lines, at most 20 and how many more. */
export function warningLines(state: DesiredState): string[] {
  const warnings = state.workspaces.flatMap((workspace) => workspaceWarnings(workspace).map((warning) => `warning: ${workspace.id}: ${warning}`));
  if (warnings.length <= MAX_WARNINGS_SHOWN) return warnings;
  return [...warnings.slice(0, MAX_WARNINGS_SHOWN), `warning: ... and ${warnings.length - MAX_WARNINGS_SHOWN} more; \`cerby-okta preview\` lists them all`];
}
