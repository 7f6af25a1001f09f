// After an apply, read back from Okta what the apply changed in place and
// compare it with what Terraform believes. okta/okta 4.20 can report success
// while a membership change failed (its update discards errors, upstream
// #2359), and records planned assignments it never made when an update fails
// (#1885); `-refresh=false` plans would then never notice. So, for the
// accounts whose memberships or assignments were updated, a targeted
// refresh-only plan reads them (and what they depend on) back: any drift is
// reported, and written to the state so that the next plan puts it right.
import path from "node:path";
import { addCalls, assignmentsReadCalls, membershipsReadCalls, OPERATION_CALLS, scaleCalls, totalCalls } from "../domain/api-cost.ts";
import { printable } from "../domain/desired-state.ts";
import { ACCESS_MEMBERS, APP, ASSIGNMENTS, ACCESS_GROUP, instanceAddress, isResource } from "../stack/names.ts";
import { actionOf, groupIds, minus, stringList } from "../terraform/plan-report.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { plansDir, stackDir, type SyncPaths } from "./saved-plans.ts";

export interface VerifyContext {
  /** Okta user ID -> Cerby user ID, to name people. */
  readonly people: ReadonlyMap<string, string>;
  /** Account ID -> chiclet label. */
  readonly labels: ReadonlyMap<string, string>;
}

export interface Verification {
  readonly accounts: number;
  /** Requests the check cost, estimated as the provider makes them. */
  readonly requests: number;
  /** What Okta holds that differs from what the apply was to leave, in Okta terms. */
  readonly problems: readonly string[];
}

interface DriftEntry {
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly change: { readonly actions: readonly string[]; readonly before?: Record<string, unknown> | null; readonly after?: Record<string, unknown> | null };
}

export async function verifyAccounts(
  stack: string,
  accounts: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  context: VerifyContext,
): Promise<Verification> {
  if (accounts.length === 0) return { accounts: 0, requests: 0, problems: [] };
  const dir = stackDir(paths, stack);
  const out = path.join(plansDir(paths), `${stack}.verify.tfplan`);
  const targets = accounts.flatMap((accountId) => [instanceAddress(ACCESS_MEMBERS, accountId), instanceAddress(ASSIGNMENTS, accountId)]);
  await terraform.plan(dir, { out, refresh: true, refreshOnly: true, targets });
  const planJson = (await terraform.showPlan(dir, out)) as { resource_drift?: DriftEntry[] };
  const problems: string[] = [];
  const person = (oktaUserId: string) => context.people.get(oktaUserId) ?? oktaUserId;
  const chiclet = (accountId: string) => `"${printable(context.labels.get(accountId) ?? accountId, 70)}" (account ${printable(accountId)})`;
  const accessGroupIds = new Set<string>();
  for (const entry of planJson.resource_drift ?? []) {
    if (isResource(entry, ACCESS_GROUP)) for (const side of [entry.change.before, entry.change.after]) if (typeof side?.id === "string") accessGroupIds.add(side.id);
  }
  for (const entry of planJson.resource_drift ?? []) {
    if (entry.mode !== "managed" || actionOf(entry.change.actions) === "no-op") continue;
    const accountId = String(entry.index ?? "");
    const before = entry.change.before ?? {};
    const after = entry.change.after;
    if (after === null || after === undefined) {
      problems.push(`${chiclet(accountId)}: ${describeKind(entry)} is gone from Okta`);
      continue;
    }
    if (isResource(entry, ACCESS_MEMBERS)) {
      for (const user of minus(stringList(before.users), stringList(after.users))) problems.push(`${person(user)} should see ${chiclet(accountId)} but is not in its access group in Okta`);
      for (const user of minus(stringList(after.users), stringList(before.users))) problems.push(`${person(user)} is in the access group of ${chiclet(accountId)} in Okta but should not be`);
    } else if (isResource(entry, ASSIGNMENTS)) {
      for (const group of minus(groupIds(before.group), groupIds(after.group))) {
        problems.push(`${accessGroupIds.has(group) ? "the access group" : `group ${group}`} should be assigned to ${chiclet(accountId)} but is not in Okta`);
      }
      for (const group of minus(groupIds(after.group), groupIds(before.group))) problems.push(`group ${group} is assigned to ${chiclet(accountId)} in Okta but should not be`);
    } else {
      problems.push(`${chiclet(accountId)}: ${describeKind(entry)} differs in Okta`);
    }
  }
  // Write what Okta holds into the state: the next incremental plan then puts it right.
  if (problems.length > 0) await terraform.apply(dir, out);
  return { accounts: accounts.length, requests: verificationRequests(accounts.length), problems };
}

function describeKind(entry: DriftEntry): string {
  if (isResource(entry, APP)) return "its app";
  if (isResource(entry, ACCESS_GROUP)) return "its access group";
  if (isResource(entry, ACCESS_MEMBERS)) return "its access group's membership";
  if (isResource(entry, ASSIGNMENTS)) return "its group assignments";
  return entry.type;
}

/** Per account: the app, the access group, its members and the app's groups are read back; plus the provider's start-up. */
function verificationRequests(accounts: number): number {
  const perAccount = addCalls(OPERATION_CALLS.appRead, OPERATION_CALLS.groupRead, membershipsReadCalls(1), assignmentsReadCalls(2));
  return totalCalls(addCalls(scaleCalls(perAccount, accounts), OPERATION_CALLS.configure));
}
