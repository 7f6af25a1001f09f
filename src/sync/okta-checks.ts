// Before a stack is planned: the Okta user IDs and IdP team group IDs the
// plan would send to Okta are checked against Okta, and those Okta does not
// know are left out of the stack data, so that no stack fails on every run.
// okta/okta 4.20 PUTs group members, and app group assignments, one by one
// in list order and stops at the first 404: one person deleted in Okta, or
// one deleted team group, would otherwise keep everyone after them from ever
// seeing the chiclet.
//
// Cost, bounded by what changes:
// - users: one `GET /api/v1/users/{id}` per distinct Okta user ID the plan
//   would ADD to an access group (not in the state's memberships yet);
// - teams: one `GET /api/v1/groups/{id}` per distinct team group of the apps
//   whose assignments would be created or changed (the provider then PUTs
//   every group of that app again), once per run whatever the stacks;
// - `reconcile` (a refresh) checks every user ID and team group of the stack:
//   Okta drops the memberships of a deleted user, and the refresh would plan
//   to add them back;
// - one `terraform state pull` per stack planned.
// What Okta answered 404 for is kept in the people record, so that later
// runs leave it out without asking again (and the plan skip still works).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { oktaOrgKey } from "../domain/desired-state.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import type { OktaClient } from "../okta-api/client.ts";
import { ACCESS_MEMBERS, ASSIGNMENTS, STACK_DATA_FILE, stateInstances } from "../stack/names.ts";
import { buildStackData, workspaceIdOf, type StackData } from "../stack/stack-data.ts";
import { groupIds, stringList, type PlanReport } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { compareText, printable } from "../text/printable.ts";
import { readAllFindings, readPeopleRecord, writePeopleRecord } from "./people-record.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import { currentState } from "./stack-states.ts";

/** What a stack's state holds, by account ID: access group members and assigned groups. */
export interface StateAccess {
  readonly members: ReadonlyMap<string, readonly string[]>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

export function stateAccess(rawState: unknown): StateAccess {
  return {
    members: new Map(stateInstances(rawState, ACCESS_MEMBERS).map(({ key, attributes }) => [key, stringList(attributes.users)])),
    groups: new Map(stateInstances(rawState, ASSIGNMENTS).map(({ key, attributes }) => [key, groupIds(attributes.group)])),
  };
}

/** The IDs to ask Okta about: Okta user ID -> Cerby user ID, and team group IDs. */
export interface IdsToCheck {
  readonly users: Map<string, string>;
  readonly groups: Set<string>;
}

/**
 * The Okta user IDs the plan would add to access groups, and the team groups
 * of every app whose assignments would be created or changed. With `all`
 * (a refresh), every ID the data names.
 */
export function idsToCheck(data: StackData, state: StateAccess, all: boolean): IdsToCheck {
  const users = new Map<string, string>();
  const groups = new Set<string>();
  const oktaIdOf = (cerbyId: string) =>
    Object.hasOwn(data.oktaUserIds, cerbyId) ? data.oktaUserIds[cerbyId] : Object.hasOwn(data.heldOktaUserIds, cerbyId) ? data.heldOktaUserIds[cerbyId] : undefined;
  for (const [accountId, group] of Object.entries(data.accessGroups)) {
    const present = new Set(all ? [] : (state.members.get(accountId) ?? []));
    for (const cerbyId of group.users) {
      const oktaId = oktaIdOf(cerbyId);
      if (oktaId !== undefined && !present.has(oktaId)) users.set(oktaId, cerbyId);
    }
  }
  for (const [accountId, app] of Object.entries(data.apps)) {
    const assigned = state.groups.get(accountId);
    // The access group is in the state's list too: a team group set differs when one is added or removed.
    const changed = all || assigned === undefined || app.groups.some((id) => !assigned.includes(id)) || assigned.length !== app.groups.length + 1;
    if (changed) for (const id of app.groups) groups.add(id);
  }
  return { users, groups };
}

/** Makes the Okta client a workspace's checks use; undefined when cerby-okta cannot read Okta (no token). */
export type OktaClientFactory = (workspace: DesiredWorkspace) => OktaClient | undefined;

/**
 * Checks the stacks of one run. Each distinct ID is asked once per run and
 * org, whatever the stacks (shards of one workspace share their teams).
 */
export class OktaChecks {
  private readonly answers = new Map<string, Promise<boolean>>();
  private warnedNoClient = false;

  constructor(
    private readonly clientFor: OktaClientFactory,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Checks a stack's data before its plan; leaves out, records and rewrites what Okta does not know.
   * `stateNow`: the stack's state as it is now, when the caller has it (a remote one costs a `state pull`).
   */
  async beforePlan(stack: string, workspace: DesiredWorkspace, terraform: Terraform, paths: SyncPaths, refresh: boolean, stateNow?: () => Promise<unknown>): Promise<void> {
    const client = this.clientFor(workspace);
    if (!client) {
      if (!this.warnedNoClient) this.log("no Okta credentials are set (OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY, or OKTA_API_TOKEN): Okta user and team group IDs are not checked before planning (one deleted in Okta fails the apply)");
      this.warnedNoClient = true;
      return;
    }
    const dataFile = path.join(stackDir(paths, stack), STACK_DATA_FILE);
    const data = JSON.parse(await readFile(dataFile, "utf8")) as StackData;
    // No Okta user ID or team group at all (everyone looked up by login): nothing to check, no state to pull.
    const named = idsToCheck(data, stateAccess({}), true);
    if (named.users.size === 0 && named.groups.size === 0) return;
    const wanted = refresh ? named : idsToCheck(data, stateAccess(await (stateNow ?? (() => currentState(path.dirname(dataFile), stack, terraform)))()), false);
    if (wanted.users.size === 0 && wanted.groups.size === 0) return;
    const org = oktaOrgKey(workspace.okta);
    const record = await readPeopleRecord(paths.stateDir, stack);
    let found = 0;
    for (const [oktaId, cerbyId] of [...wanted.users].sort(([a], [b]) => compareText(a, b))) {
      if (await this.exists(client, org, "users", oktaId)) continue;
      record.missingUsers[oktaId] = cerbyId;
      found++;
    }
    for (const groupId of [...wanted.groups].sort(compareText)) {
      if (await this.exists(client, org, "groups", groupId)) continue;
      record.missingGroups[groupId] = workspace.idpTeams?.[groupId]?.id ?? "";
      found++;
    }
    this.log(`${stack}: checked ${wanted.users.size} Okta user ID${wanted.users.size === 1 ? "" : "s"} and ${wanted.groups.size} team group${wanted.groups.size === 1 ? "" : "s"} ${refresh ? "the stack names" : "the plan would add"}${found > 0 ? `: ${found} unknown to Okta, left out` : ""}`);
    if (found === 0) return;
    await writePeopleRecord(paths.stateDir, stack, record);
    await rewriteFromRecords(dataFile, workspace, data, paths.stateDir);
  }

  private exists(client: OktaClient, org: string, kind: "users" | "groups", id: string): Promise<boolean> {
    const key = `${org}\u0000${kind}\u0000${id}`;
    let answer = this.answers.get(key);
    if (!answer) this.answers.set(key, (answer = client.exists(kind, id)));
    return answer;
  }
}

/**
 * After a plan, which may have learned what some logins resolve to: the data
 * file as the synthesizer builds it from the records from now on (their held
 * IDs added), so that the stack is what its next synth writes and the next
 * plan may skip it. The plan stays valid: a login found wins over its held ID.
 */
export async function settleStackData(paths: SyncPaths, stack: string, workspace: DesiredWorkspace): Promise<void> {
  const dataFile = path.join(stackDir(paths, stack), STACK_DATA_FILE);
  await rewriteFromRecords(dataFile, workspace, JSON.parse(await readFile(dataFile, "utf8")) as StackData, paths.stateDir);
}

/** Writes the data the synthesizer will build from the people records next time, when it differs from the file's. */
async function rewriteFromRecords(dataFile: string, workspace: DesiredWorkspace, data: StackData, stateDir: string): Promise<void> {
  const findings = (await readAllFindings(stateDir)).get(workspaceIdOf(workspace));
  const text = JSON.stringify(buildStackData(workspace, data.adopt, findings));
  if (text !== JSON.stringify(data)) await writeFileAtomic(dataFile, text);
}

/**
 * The plan report with what the stack data left out or held named: each
 * person (login, Cerby ID, the chiclets that wait or are held, what to do)
 * and each team (name, workspace, the chiclets it no longer reaches).
 */
export function withOktaFindings(report: PlanReport, data: StackData, workspace: DesiredWorkspace | undefined): PlanReport {
  const warnings: string[] = [];
  const unresolved = new Set(report.unresolvedPeople.map((person) => person.cerbyUserId));
  const chicletsOf = (has: (chiclet: DesiredWorkspace["chiclets"][number]) => boolean) => {
    const names = (workspace?.chiclets ?? []).filter(has).map((chiclet) => `"${printable(chiclet.label, 70)}" (account ${printable(chiclet.accountId)})`);
    return names.length === 0 ? "its chiclets" : names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : names.join(", ");
  };
  const loginOf = (cerbyId: string) => workspace?.people.find((person) => person.id === cerbyId)?.email;
  const who = (cerbyId: string) => {
    const login = loginOf(cerbyId);
    return login === undefined ? printable(cerbyId) : `${printable(login, 100)} (${printable(cerbyId)})`;
  };
  for (const [cerbyId, oktaId] of Object.entries(data.notInOkta.users)) {
    const seen = chicletsOf((chiclet) => chiclet.users.includes(cerbyId));
    warnings.push(
      unresolved.has(cerbyId)
        ? `${who(cerbyId)}: Okta has no user ${printable(oktaId)} (deleted in Okta, or a wrong oktaUserId) and finds nobody by login: ${seen} wait${seen === "its chiclets" ? "" : "s"} for them; set their current oktaUserId in Cerby, or remove their grants`
        : `${who(cerbyId)}: Okta has no user ${printable(oktaId)} (deleted in Okta, or a wrong oktaUserId); found by login instead, so they see ${seen}; set their current oktaUserId in Cerby`,
    );
  }
  const people = report.unresolvedPeople.map((person) => {
    const missing = Object.hasOwn(data.notInOkta.users, person.cerbyUserId) ? data.notInOkta.users[person.cerbyUserId] : undefined;
    if (missing !== undefined) return { ...person, missingOktaUserId: missing };
    const held = Object.hasOwn(data.heldOktaUserIds, person.cerbyUserId) ? data.heldOktaUserIds[person.cerbyUserId] : undefined;
    if (held === undefined) return person;
    warnings.push(
      `${printable(person.cerbyUserId)}: held: login no longer matches ${printable(loginOf(person.cerbyUserId) ?? person.search, 100)}; was ${printable(held)}. ` +
        `They keep ${chicletsOf((chiclet) => chiclet.users.includes(person.cerbyUserId))}; fix their email in Cerby, or set oktaUserId`,
    );
    return { ...person, heldOktaUserId: held };
  });
  for (const groupId of data.notInOkta.teamGroups) {
    const team = workspace?.idpTeams?.[groupId];
    const named = team ? `team "${printable(team.name, 70)}" (${printable(team.id)})` : `the team with Okta group ${printable(groupId)}`;
    warnings.push(
      `${named} in workspace ${printable(workspace?.id ?? data.workspaceId)}: Okta has no group ${printable(groupId)} (deleted in Okta, or a wrong oktaGroupId); ` +
        `left out of ${chicletsOf((chiclet) => chiclet.groups.includes(groupId))}, which its direct viewers still see; set the team's oktaGroupId in Cerby, or remove its grants`,
    );
  }
  if (warnings.length === 0) return report;
  return { ...report, unresolvedPeople: people, oktaWarnings: warnings };
}
