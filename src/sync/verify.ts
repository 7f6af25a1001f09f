// After an apply, read back from Okta what the apply changed in place and
// compare it with what Terraform believes. okta/okta 4.20 can report success
// while a membership change failed (its update discards errors, upstream
// #2359), and records planned assignments it never made when an update fails
// (#1885); `-refresh=false` plans would then never notice.
//
// For the accounts whose memberships or assignments changed in place, the
// app's groups and the access group's members are listed (2 requests an
// account) and compared with the state. A Terraform refresh would cost the
// whole stack instead: targeting one access group pulls in every access group
// it depends on. Any difference is reported, and then written into the state
// (a targeted refresh, the costly way, only when something is wrong) so that
// the next incremental plan puts it right. Without an API token cerby-okta
// cannot read Okta itself, and the targeted refresh is the check.

import type { AccessReader } from "../okta-api/org-objects.ts";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, ASSIGNMENTS, instanceAddress, isResource, type ResourceName } from "../stack/names.ts";
import { minus } from "../domain/changes.ts";
import { actionOf, groupIds, stringList } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { forgetApplyRecord } from "./state-status.ts";
import { plansDir, stackDir, type SyncPaths } from "./saved-plans.ts";
import path from "node:path";
import { printable } from "../text/printable.ts";

export interface VerifyContext {
  /** Okta user ID -> Cerby user ID, to name people. */
  readonly people: ReadonlyMap<string, string>;
  /** Account ID -> chiclet label. */
  readonly labels: ReadonlyMap<string, string>;
  /** Reads Okta directly; absent without an API token. */
  readonly reader?: AccessReader;
}

export interface Verification {
  readonly accounts: number;
  /** Requests the direct reads cost; a Terraform refresh reads every app and access group of the stack besides. */
  readonly requests?: number;
  /** How it read Okta back. */
  readonly how: "direct reads" | "Terraform refresh";
  /** What Okta holds that differs from what the apply was to leave, in Okta terms. */
  readonly problems: readonly string[];
}

interface Believed {
  readonly appId?: string;
  readonly groupId?: string;
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

interface StateResource {
  readonly mode?: string;
  readonly type?: string;
  readonly name?: string;
  readonly index?: unknown;
  readonly values?: Record<string, unknown>;
}

export async function verifyAccounts(
  stack: string,
  accounts: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  context: VerifyContext,
): Promise<Verification> {
  if (accounts.length === 0) return { accounts: 0, requests: 0, how: "direct reads", problems: [] };
  if (!context.reader) return refreshAndCompare(stack, accounts, terraform, paths, context);
  const reader = context.reader;
  const believed = believedAccess(await terraform.showState(stackDir(paths, stack)), accounts);
  const text = namer(context);
  let requests = 0;
  const checks = await Promise.all(
    accounts.map(async (accountId) => {
      const expected = believed.get(accountId);
      if (!expected?.appId || !expected.groupId) return [] as string[];
      requests += 2;
      const [groups, users] = await Promise.all([reader.appGroups(expected.appId), reader.groupMembers(expected.groupId)]);
      const problems: string[] = [];
      if (groups === undefined) problems.push(`${text.chiclet(accountId)}: its app is gone from Okta`);
      if (users === undefined) problems.push(`${text.chiclet(accountId)}: its access group is gone from Okta`);
      problems.push(...text.membersDiffer(accountId, expected.users, users ?? []));
      if (groups !== undefined) problems.push(...text.groupsDiffer(accountId, expected.groups, groups, new Set([expected.groupId])));
      return problems.length > 0 ? problems : [];
    }),
  );
  const problems = checks.flat();
  const wrong = accounts.filter((_, index) => checks[index]!.length > 0);
  // Put what Okta holds into the state, so that the next incremental plan repairs it.
  if (wrong.length > 0) await refresh(stack, wrong, terraform, paths, "verify");
  return { accounts: accounts.length, requests, how: "direct reads", problems };
}

/** The app ID, access group ID, members and assigned groups the state holds for each account. */
function believedAccess(state: unknown, accounts: readonly string[]): Map<string, Believed> {
  const wanted = new Set(accounts);
  const resources = (state as { values?: { root_module?: { resources?: StateResource[] } } }).values?.root_module?.resources ?? [];
  const entries = new Map<string, { appId?: string; groupId?: string; users: string[]; groups: string[] }>();
  const entry = (accountId: string) => {
    let found = entries.get(accountId);
    if (!found) entries.set(accountId, (found = { users: [], groups: [] }));
    return found;
  };
  for (const resource of resources) {
    const accountId = String(resource.index ?? "");
    if (!wanted.has(accountId)) continue;
    const values = resource.values ?? {};
    if (isResource(resource, APP) && typeof values.id === "string") entry(accountId).appId = values.id;
    if (isResource(resource, ACCESS_GROUP) && typeof values.id === "string") entry(accountId).groupId = values.id;
    if (isResource(resource, ACCESS_MEMBERS)) entry(accountId).users = stringList(values.users);
    if (isResource(resource, ASSIGNMENTS)) entry(accountId).groups = groupIds(values.group);
  }
  return entries;
}

function namer(context: VerifyContext) {
  const person = (oktaUserId: string) => context.people.get(oktaUserId) ?? oktaUserId;
  const chiclet = (accountId: string) => `"${printable(context.labels.get(accountId) ?? accountId, 70)}" (account ${printable(accountId)})`;
  return {
    chiclet,
    membersDiffer(accountId: string, believed: readonly string[], actual: readonly string[]): string[] {
      return [
        ...minus(believed, actual).map((user) => `${person(user)} should see ${chiclet(accountId)} but is not in its access group in Okta`),
        ...minus(actual, believed).map((user) => `${person(user)} is in the access group of ${chiclet(accountId)} in Okta but should not be`),
      ];
    },
    groupsDiffer(accountId: string, believed: readonly string[], actual: readonly string[], accessGroups: ReadonlySet<string>): string[] {
      return [
        ...minus(believed, actual).map((group) => `${accessGroups.has(group) ? "the access group" : `group ${group}`} should be assigned to ${chiclet(accountId)} but is not in Okta`),
        ...minus(actual, believed).map((group) => `group ${group} is assigned to ${chiclet(accountId)} in Okta but should not be`),
      ];
    },
  };
}

/** Targeted refresh-only plan of the accounts' memberships and assignments (and, with them, every access group and app). */
async function refresh(stack: string, accounts: readonly string[], terraform: Terraform, paths: SyncPaths, purpose: string): Promise<{ resource_drift?: DriftEntry[] }> {
  const dir = stackDir(paths, stack);
  const out = path.join(plansDir(paths), `${stack}.${purpose}.tfplan`);
  const targets = accounts.flatMap((accountId) => [instanceAddress(ACCESS_MEMBERS, accountId), instanceAddress(ASSIGNMENTS, accountId)]);
  await terraform.plan(dir, { out, refresh: true, refreshOnly: true, targets });
  const planJson = (await terraform.showPlan(dir, out)) as { resource_drift?: DriftEntry[] };
  if ((planJson.resource_drift ?? []).some((entry) => entry.mode === "managed" && actionOf(entry.change.actions) !== "no-op")) {
    await terraform.apply(dir, out);
    // The state now differs from the files: the next plan must run Terraform, whatever the apply record said.
    await forgetApplyRecord(terraform, dir);
  }
  return planJson;
}

interface DriftEntry {
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly change: { readonly actions: readonly string[]; readonly before?: Record<string, unknown> | null; readonly after?: Record<string, unknown> | null };
}

const KINDS: readonly [ResourceName, string][] = [
  [APP, "its app"],
  [ACCESS_GROUP, "its access group"],
  [ACCESS_MEMBERS, "its access group's membership"],
  [ASSIGNMENTS, "its group assignments"],
];

/** Without a token: a Terraform refresh of the accounts reads them back, and its drift is the answer. */
async function refreshAndCompare(stack: string, accounts: readonly string[], terraform: Terraform, paths: SyncPaths, context: VerifyContext): Promise<Verification> {
  const planJson = await refresh(stack, accounts, terraform, paths, "verify");
  const text = namer(context);
  const drift = (planJson.resource_drift ?? []).filter((entry) => entry.mode === "managed" && actionOf(entry.change.actions) !== "no-op");
  const accessGroupIds = new Set<string>();
  for (const entry of drift) {
    if (isResource(entry, ACCESS_GROUP)) for (const side of [entry.change.before, entry.change.after]) if (typeof side?.id === "string") accessGroupIds.add(side.id);
  }
  const problems: string[] = [];
  for (const entry of drift) {
    const accountId = String(entry.index ?? "");
    const before = entry.change.before ?? {};
    const after = entry.change.after;
    const kind = KINDS.find(([resource]) => isResource(entry, resource))?.[1] ?? entry.type;
    if (after === null || after === undefined) problems.push(`${text.chiclet(accountId)}: ${kind} is gone from Okta`);
    else if (isResource(entry, ACCESS_MEMBERS)) problems.push(...text.membersDiffer(accountId, stringList(before.users), stringList(after.users)));
    else if (isResource(entry, ASSIGNMENTS)) problems.push(...text.groupsDiffer(accountId, groupIds(before.group), groupIds(after.group), accessGroupIds));
    else problems.push(`${text.chiclet(accountId)}: ${kind} differs in Okta`);
  }
  return { accounts: accounts.length, how: "Terraform refresh", problems };
}
