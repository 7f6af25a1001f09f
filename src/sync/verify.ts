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
//
// Okta's member and assignment lists are eventually consistent (the provider
// itself waits up to 10 s for a new member to be listed): a read that differs
// is read again, after 0.5 s, 1 s, 2 s, ... for about 10 s, and only what
// still differs then fails the apply and reaches the state.

import type { AccessReader } from "../okta-api/org-objects.ts";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, ASSIGNMENTS, instanceAddress, isResource, stateInstances, type ResourceName } from "../stack/names.ts";
import { minus } from "../domain/changes.ts";
import { actionOf, groupIds, stringList } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { forgetApplyRecord } from "./state-status.ts";
import { plansDir, stackDir, type SyncPaths } from "./saved-plans.ts";
import { currentState } from "./stack-states.ts";
import path from "node:path";
import { printable } from "../text/printable.ts";

export interface VerifyContext {
  /** Okta user ID -> Cerby user ID, to name people. */
  readonly people: ReadonlyMap<string, string>;
  /** Account ID -> chiclet label. */
  readonly labels: ReadonlyMap<string, string>;
  /** Reads Okta directly; absent without an API token. */
  readonly reader?: AccessReader;
  /**
   * Account ID -> the Okta user IDs the plan puts in its access group: the
   * expectation for an access group whose memberships are not in the state
   * (their create failed half-way), so that the person missing is named,
   * not the people added before them.
   */
  readonly planned?: ReadonlyMap<string, readonly string[]>;
  /** How long a differing read is read again before it counts; DEFAULT_SETTLE unless a test brings its own clock. */
  readonly settle?: Settle;
}

/** The window within which Okta's lists catch up with a write, and the clock that waits it out. */
export interface Settle {
  readonly windowMs: number;
  /** The first wait; each next one is twice as long, never past the window. */
  readonly firstWaitMs: number;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** About 10 s, as okta/okta 4.20 waits for a new member to be listed (`checkIfGroupHasUsers`). */
export const DEFAULT_SETTLE: Settle = {
  windowMs: 10_000,
  firstWaitMs: 500,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One reading, no waiting: after a failed apply, whose differences are expected and recorded for the next plan. */
export const READ_ONCE: Settle = { ...DEFAULT_SETTLE, windowMs: 0 };

/**
 * Checks `keys`, then again those found wrong, waiting `firstWaitMs`, twice
 * that, ... between rounds, until none is wrong or the window is over.
 * Returns each key's problems from its last check (none for keys that came
 * right) and how many rounds were read.
 */
export async function recheckUntilSettled<K>(
  keys: readonly K[],
  check: (keys: readonly K[]) => Promise<ReadonlyMap<K, readonly string[]>>,
  settle: Settle,
): Promise<{ problems: Map<K, readonly string[]>; rounds: number }> {
  const deadline = settle.now() + settle.windowMs;
  const problems = new Map<K, readonly string[]>();
  let pending = [...keys];
  let wait = settle.firstWaitMs;
  let rounds = 0;
  for (;;) {
    const found = await check(pending);
    rounds++;
    for (const key of pending) problems.delete(key);
    pending = pending.filter((key) => (found.get(key)?.length ?? 0) > 0);
    for (const key of pending) problems.set(key, found.get(key)!);
    const left = deadline - settle.now();
    if (pending.length === 0 || left <= 0) return { problems, rounds };
    await settle.sleep(Math.min(wait, left));
    wait *= 2;
  }
}

export interface Verification {
  readonly accounts: number;
  /** Requests the direct reads cost; a Terraform refresh reads every app and access group of the stack besides. */
  readonly requests?: number;
  /** How it read Okta back. */
  readonly how: "direct reads" | "Terraform refresh";
  /** What Okta holds that differs from what the apply was to leave, in Okta terms. */
  readonly problems: readonly string[];
  /** Times Okta was read (1 when it matched at once; more while its lists caught up). */
  readonly rounds: number;
  /** The window a difference was read again within, in milliseconds. */
  readonly windowMs: number;
}

interface Believed {
  readonly appId?: string;
  readonly groupId?: string;
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

export async function verifyAccounts(
  stack: string,
  accounts: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  context: VerifyContext,
): Promise<Verification> {
  const settle = context.settle ?? DEFAULT_SETTLE;
  if (accounts.length === 0) return { accounts: 0, requests: 0, how: "direct reads", problems: [], rounds: 0, windowMs: settle.windowMs };
  if (!context.reader) return refreshAndCompare(stack, accounts, terraform, paths, context, settle);
  const reader = context.reader;
  // The state as the apply left it: a local file is read directly, no Terraform process.
  const believed = believedAccess(await currentState(stackDir(paths, stack), stack, terraform), accounts, context.planned);
  const text = namer(context);
  let requests = 0;
  const checkOne = async (accountId: string): Promise<string[]> => {
    const expected = believed.get(accountId);
    if (!expected?.appId || !expected.groupId) return [];
    requests += 2;
    const [groups, users] = await Promise.all([reader.appGroups(expected.appId), reader.groupMembers(expected.groupId)]);
    const problems: string[] = [];
    if (groups === undefined) problems.push(`${text.chiclet(accountId)}: its app is gone from Okta`);
    if (users === undefined) problems.push(`${text.chiclet(accountId)}: its access group is gone from Okta`);
    problems.push(...text.membersDiffer(accountId, expected.users, users ?? []));
    if (groups !== undefined) problems.push(...text.groupsDiffer(accountId, expected.groups, groups, new Set([expected.groupId])));
    return problems;
  };
  const { problems, rounds } = await recheckUntilSettled(
    accounts,
    async (pending) => new Map(await Promise.all(pending.map(async (accountId) => [accountId, await checkOne(accountId)] as const))),
    settle,
  );
  const wrong = accounts.filter((accountId) => problems.has(accountId));
  // Put what Okta holds into the state, so that the next incremental plan repairs it.
  if (wrong.length > 0) await refresh(stack, wrong, terraform, paths, "verify", true);
  return { accounts: accounts.length, requests, how: "direct reads", problems: wrong.flatMap((accountId) => problems.get(accountId)!), rounds, windowMs: settle.windowMs };
}

/** The app ID, access group ID, members and assigned groups the state (as Terraform stores it) holds for each account. */
function believedAccess(rawState: unknown, accounts: readonly string[], planned?: ReadonlyMap<string, readonly string[]>): Map<string, Believed> {
  const wanted = new Set(accounts);
  const entries = new Map<string, { appId?: string; groupId?: string; users: string[]; groups: string[] }>();
  const entry = (accountId: string) => {
    let found = entries.get(accountId);
    if (!found) entries.set(accountId, (found = { users: [...(planned?.get(accountId) ?? [])], groups: [] }));
    return found;
  };
  const held = (resource: ResourceName) => stateInstances(rawState, resource).filter(({ key }) => wanted.has(key));
  for (const { key, attributes } of held(APP)) if (typeof attributes.id === "string") entry(key).appId = attributes.id;
  for (const { key, attributes } of held(ACCESS_GROUP)) if (typeof attributes.id === "string") entry(key).groupId = attributes.id;
  for (const { key, attributes } of held(ACCESS_MEMBERS)) entry(key).users = stringList(attributes.users);
  for (const { key, attributes } of held(ASSIGNMENTS)) entry(key).groups = groupIds(attributes.group);
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

/**
 * Targeted refresh-only plan of the accounts' memberships and assignments (and,
 * with them, every access group and app); with `record`, what it read is
 * written into the state.
 */
async function refresh(stack: string, accounts: readonly string[], terraform: Terraform, paths: SyncPaths, purpose: string, record: boolean): Promise<{ resource_drift?: DriftEntry[] }> {
  const dir = stackDir(paths, stack);
  const out = refreshPlanFile(paths, stack, purpose);
  const targets = accounts.flatMap((accountId) => [instanceAddress(ACCESS_MEMBERS, accountId), instanceAddress(ASSIGNMENTS, accountId)]);
  await terraform.plan(dir, { out, refresh: true, refreshOnly: true, targets });
  const planJson = (await terraform.showPlan(dir, out)) as { resource_drift?: DriftEntry[] };
  if (record && managedDrift(planJson).length > 0) {
    await terraform.apply(dir, out);
    // The state now differs from the files: the next plan must run Terraform, whatever the apply record said.
    await forgetApplyRecord(terraform, dir);
  }
  return planJson;
}

const refreshPlanFile = (paths: SyncPaths, stack: string, purpose: string) => path.join(plansDir(paths), `${stack}.${purpose}.tfplan`);

const managedDrift = (planJson: { resource_drift?: DriftEntry[] }) =>
  (planJson.resource_drift ?? []).filter((entry) => entry.mode === "managed" && actionOf(entry.change.actions) !== "no-op");

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

/**
 * Without a token: a Terraform refresh of the accounts reads them back, and
 * its drift is the answer. Rounds re-read only the accounts still differing;
 * the last refresh that found a difference is what the state records.
 */
async function refreshAndCompare(stack: string, accounts: readonly string[], terraform: Terraform, paths: SyncPaths, context: VerifyContext, settle: Settle): Promise<Verification> {
  const text = namer(context);
  let lastWrong: readonly string[] = [];
  const { problems, rounds } = await recheckUntilSettled(
    accounts,
    async (pending) => {
      const found = driftProblems(await refresh(stack, pending, terraform, paths, "verify", false), text);
      lastWrong = pending.filter((accountId) => (found.get(accountId)?.length ?? 0) > 0);
      return found;
    },
    settle,
  );
  // The last round's plan holds what Okta showed then: record it, so that the next plan repairs the difference.
  if (lastWrong.length > 0) await terraform.apply(stackDir(paths, stack), refreshPlanFile(paths, stack, "verify"));
  const wrong = accounts.filter((accountId) => problems.has(accountId));
  return { accounts: accounts.length, how: "Terraform refresh", problems: wrong.flatMap((accountId) => problems.get(accountId)!), rounds, windowMs: settle.windowMs };
}

/** The refresh's drift, in Okta terms, by account. */
function driftProblems(planJson: { resource_drift?: DriftEntry[] }, text: ReturnType<typeof namer>): Map<string, string[]> {
  const drift = managedDrift(planJson);
  const accessGroupIds = new Set<string>();
  for (const entry of drift) {
    if (isResource(entry, ACCESS_GROUP)) for (const side of [entry.change.before, entry.change.after]) if (typeof side?.id === "string") accessGroupIds.add(side.id);
  }
  const problems = new Map<string, string[]>();
  for (const entry of drift) {
    const accountId = String(entry.index ?? "");
    const before = entry.change.before ?? {};
    const after = entry.change.after;
    const kind = KINDS.find(([resource]) => isResource(entry, resource))?.[1] ?? entry.type;
    const found = problems.get(accountId) ?? [];
    if (after === null || after === undefined) found.push(`${text.chiclet(accountId)}: ${kind} is gone from Okta`);
    else if (isResource(entry, ACCESS_MEMBERS)) found.push(...text.membersDiffer(accountId, stringList(before.users), stringList(after.users)));
    else if (isResource(entry, ASSIGNMENTS)) found.push(...text.groupsDiffer(accountId, groupIds(before.group), groupIds(after.group), accessGroupIds));
    else found.push(`${text.chiclet(accountId)}: ${kind} differs in Okta`);
    problems.set(accountId, found);
  }
  return problems;
}
