// No plan creates an app or access group that Okta already holds. A state
// can be behind Okta in many ways: an apply killed while creating, a state
// truncated and restored from its backup, `terraform state rm` by hand, a
// shard count changed without `reshard`, a POST repeated after a dropped
// answer or a 500 on the provider's check after it. So every app and access
// group a plan would create, at any sync, is looked up in Okta (apps by R4's
// label comparison, groups by the exact name the stack writes); a plan with
// nothing to create costs no request. What is found:
// - an access group named as ours (`cerby-okta/<workspace>/<account>`, unique
//   to that account) that no state holds: it is ours, orphaned; taken under
//   management (imported) at once, and the stack planned again;
// - an app whose label matches, that no state holds, and whose URL is the one
//   this account's chiclet gets (the URL carries the account ID): ours too,
//   orphaned by a killed apply; adopted likewise;
// - any other app whose label matches: it may be someone's own app (adopting
//   it would take over its URL and every group assignment), so the plan is
//   refused with the one command that decides, `cerby-okta adopt`;
// - an object another stack's state holds for the same account (the account
//   moved between shards without `reshard`): refused, `reshard` moves it.
// An app another stack holds for another account is not a duplicate: R4 gives
// no two wanted chiclets one label, so that app is being relabelled or removed.
// docs/design.md ("Every create is checked against Okta") says why.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { labelKey } from "../domain/labels.ts";
import { InternalError, UsageError } from "../errors.ts";
import { ensureFolder } from "../files/ensure-folder.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import type { OrgObjectsMemo, OrgApp } from "../okta-api/org-objects.ts";
import { ACCESS_GROUP, accessGroupName, APP, isResource, STACK_DATA_FILE } from "../stack/names.ts";
import { emptyMap, type Adoption, type StackData } from "../stack/stack-data.ts";
import { compareText, printable } from "../text/printable.ts";
import { adoptionFile, mergeAdoption } from "./adopt.ts";
import type { Log } from "./plan.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import type { StackStates } from "./stack-states.ts";

/** What checking a run's creates needs; one per run, so that each org's objects are read once. */
export interface CreateCheck {
  /** What each Okta org holds, read once per run. */
  readonly org: OrgObjectsMemo;
  /** The run's stacks' states, read only when a create matches something. */
  readonly states: StackStates;
  /** The stacks whose states may hold an object of the workspace's org (synthesizedStacksOfOrg). */
  readonly stacksOfOrg: (workspace: DesiredWorkspace) => Promise<readonly string[]>;
  readonly log: Log;
}

/** How many findings a refusal lists before "... and N more". */
const LISTED = 10;

/** The access groups of one workspace share this prefix (bounded names keep it: see boundedAccessGroupName). */
export function accessGroupPrefix(workspaceId: string): string {
  return accessGroupName(workspaceId, "").slice(0, 200);
}

type PlanEntry = { mode?: string; type?: string; name?: string; index?: unknown; change?: { actions?: string[]; importing?: unknown }; values?: { id?: unknown } };
type PlanJson = { resource_changes?: PlanEntry[]; prior_state?: { values?: { root_module?: { resources?: PlanEntry[] } } } };

/** Accounts whose app, and whose access group, the plan creates (imports are not creates). */
export function plannedCreates(planJson: unknown): { apps: string[]; accessGroups: string[] } {
  const apps: string[] = [];
  const accessGroups: string[] = [];
  for (const entry of (planJson as PlanJson).resource_changes ?? []) {
    const actions = entry.change?.actions ?? [];
    if (!actions.includes("create") || actions.includes("delete") || entry.change?.importing || typeof entry.index !== "string") continue;
    if (isResource(entry, APP)) apps.push(entry.index);
    if (isResource(entry, ACCESS_GROUP)) accessGroups.push(entry.index);
  }
  return { apps, accessGroups };
}

/** Okta IDs of the apps and access groups the stack's state holds before the plan. */
function heldByStack(planJson: unknown): Set<string> {
  const ids = new Set<string>();
  for (const entry of (planJson as PlanJson).prior_state?.values?.root_module?.resources ?? []) {
    if ((isResource(entry, APP) || isResource(entry, ACCESS_GROUP)) && typeof entry.values?.id === "string") ids.add(entry.values.id);
  }
  return ids;
}

/**
 * Checks the plan's creates against Okta. Returns the orphans it took under
 * management (then the stack must be planned again: they are imports now), or
 * undefined when nothing to create exists. Throws a UsageError naming what to
 * do when a create would duplicate something it cannot take.
 */
export async function checkCreates(
  stack: string,
  workspace: DesiredWorkspace,
  data: StackData,
  planJson: unknown,
  paths: SyncPaths,
  check: CreateCheck,
): Promise<Adoption | undefined> {
  const creates = plannedCreates(planJson);
  if (creates.apps.length + creates.accessGroups.length === 0) return undefined;
  const existing = await check.org.existing(workspace.okta, accessGroupPrefix(data.workspaceId));
  const ours = heldByStack(planJson);
  const appMatches = new Map<string, OrgApp[]>();
  for (const accountId of creates.apps) {
    const matches = (existing.appsByLabelKey.get(labelKey(data.apps[accountId]!.label)) ?? []).filter((app) => !ours.has(app.id));
    if (matches.length > 0) appMatches.set(accountId, matches);
  }
  const groupMatches = new Map<string, string>();
  for (const accountId of creates.accessGroups) {
    const id = existing.groupsByName.get(data.accessGroups[accountId]!.name);
    if (id !== undefined && !ours.has(id)) groupMatches.set(accountId, id);
  }
  if (appMatches.size + groupMatches.size === 0) return undefined;

  const others = await check.states.holders((await check.stacksOfOrg(workspace)).filter((other) => other !== stack));
  const adopt = { apps: emptyMap<string>(), accessGroups: emptyMap<string>() };
  const refused: string[] = [];
  const moved: string[] = [];
  const offLabels: string[] = [];
  for (const [accountId, matches] of appMatches) {
    const label = data.apps[accountId]!.label;
    const movedFrom = matches.find((app) => others.get(app.id)?.accountId === accountId);
    if (movedFrom) {
      moved.push(`app ${movedFrom.id} "${printable(label, 70)}" of account ${printable(accountId)} is in the state of stack ${others.get(movedFrom.id)!.stack}`);
      continue;
    }
    // A workspace whose switch is off keeps its apps as they are (R1), outside R4's numbering: a second chiclet with that label.
    const kept = matches.find((app) => others.get(app.id)?.switchedOff);
    if (kept) {
      const holder = others.get(kept.id)!;
      offLabels.push(
        `app "${printable(label, 70)}" (account ${printable(accountId)}) has the label of app ${kept.id}, which stack ${holder.stack} holds (account ${printable(holder.accountId)}) and whose workspace's switch is off`,
      );
      continue;
    }
    // Held by another stack for another account: that chiclet is being relabelled or removed, not duplicated.
    const free = matches.filter((app) => !others.has(app.id));
    if (free.length === 0) continue;
    if (free.length === 1 && free[0]!.url === data.apps[accountId]!.url) adopt.apps[accountId] = free[0]!.id;
    else refused.push(`app "${printable(label, 70)}" (account ${printable(accountId)}) exists as ${free.map((app) => `${app.id} "${printable(app.label, 70)}"${app.url === data.apps[accountId]!.url ? "" : ` (${printable(app.url, 60)})`}`).join(", ")}`);
  }
  for (const [accountId, id] of groupMatches) {
    const holder = others.get(id);
    if (holder) moved.push(`group ${id} ${printable(data.accessGroups[accountId]!.name, 90)} is in the state of stack ${holder.stack}`);
    else adopt.accessGroups[accountId] = id;
  }
  if (moved.length > 0) throw new UsageError(movedMessage(stack, moved));
  if (offLabels.length > 0) {
    throw new UsageError(
      `${stack}: the plan would create apps whose labels a switched-off workspace's apps hold in Okta (R1 keeps those as they are, and R4 numbers only workspaces that sync):\n${listed(offLabels)}\n` +
        "Creating them would put two chiclets with one label in the org. Rename the account in Cerby, or turn that workspace's Extended account access back on (R4 then numbers the labels), then plan again. Nothing was saved for apply.",
    );
  }
  if (refused.length > 0) throw new UsageError(refusedMessage(stack, data.workspaceId, refused, Object.keys(adopt.apps).length + Object.keys(adopt.accessGroups).length));
  if (Object.keys(adopt.apps).length + Object.keys(adopt.accessGroups).length === 0) return undefined;
  for (const accountId of [...Object.keys(adopt.apps), ...Object.keys(adopt.accessGroups)]) {
    if (Object.hasOwn(data.adopt.apps, accountId) || Object.hasOwn(data.adopt.accessGroups, accountId)) {
      throw new InternalError(`${stack}: account ${accountId} is already being adopted, yet the plan creates it`);
    }
  }
  await takeUnderManagement(stack, data, adopt, paths, check.log);
  return adopt;
}

function listed(lines: string[]): string {
  lines.sort(compareText);
  return lines.slice(0, LISTED).map((line) => `  ${line}`).join("\n") + (lines.length > LISTED ? `\n  ... and ${lines.length - LISTED} more` : "");
}

function refusedMessage(stack: string, workspaceId: string, refused: string[], adoptable: number): string {
  return (
    `${stack}: Okta already holds ${refused.length} app${refused.length === 1 ? "" : "s"} with the label${refused.length === 1 ? "" : "s"} this plan would create ` +
    "(labels compared as R4 compares them: trimmed, white space collapsed, case ignored), not held by any state here:\n" +
    `${listed(refused)}\n` +
    "Creating them again would duplicate chiclets, and adopting one that is not ours would take over its URL and group assignments. " +
    `Run \`cerby-okta adopt --stack ${stack}\` to take them under management (it shows what it takes), or relabel or remove them in Okta; then plan again. ` +
    "If the state was moved, point cerby-okta.yaml at it instead." +
    // A workspace synced before in another layout (elsewhere, unrecorded here) looks new to each new stack of a shard.
    (stack !== workspaceId
      ? ` If workspace ${workspaceId} was synced before with another shard count (from another machine, or by \`cdktf deploy\`), its apps are in those stacks' states: ` +
        "set `shards:` in cerby-okta.yaml to that count (1 for one stack), then `cerby-okta reshard` if it should change."
      : "") +
    (adoptable > 0 ? ` (${adoptable} orphaned object${adoptable === 1 ? "" : "s"} of ours found too: the next plan adopts ${adoptable === 1 ? "it" : "them"}.)` : "") +
    " Nothing was saved for apply."
  );
}

function movedMessage(stack: string, moved: string[]): string {
  return (
    `${stack}: the plan would create objects that another stack's state holds for the same account:\n${listed(moved)}\n` +
    "The account moved between stacks (the shard count changed) without its state: run `cerby-okta reshard` (with `--from N`, the count they were applied with, " +
    "on a machine without this project's status records), then plan. Nothing was saved for apply."
  );
}

/** Records the adoption where `adopt` would (so later plans keep it until an apply takes it in) and in the stack's data file, for the re-plan. */
async function takeUnderManagement(stack: string, data: StackData, adopt: Adoption, paths: SyncPaths, log: Log): Promise<void> {
  for (const [accountId, id] of Object.entries(adopt.accessGroups)) {
    log(`${stack}: Okta already holds the access group ${printable(data.accessGroups[accountId]!.name, 90)} (${id}), which no state holds (left by a failed or stopped apply): taking it under management (import) instead of creating it again`);
  }
  for (const [accountId, id] of Object.entries(adopt.apps)) {
    log(`${stack}: Okta already holds app ${id} "${printable(data.apps[accountId]!.label, 70)}" with this account's URL, which no state holds (left by a stopped apply): taking it under management (import) instead of creating it again`);
  }
  const file = adoptionFile(paths.stateDir, stack);
  await ensureFolder(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(await mergeAdoption(file, adopt), null, 2)}\n`);
  await writeStackAdoption(paths, stack, data, mergeInto(data.adopt, adopt));
}

function mergeInto(base: Adoption, added: Adoption): Adoption {
  return {
    apps: Object.assign(emptyMap<string>(), base.apps, added.apps),
    accessGroups: Object.assign(emptyMap<string>(), base.accessGroups, added.accessGroups),
  };
}

/** Rewrites the `adopt` section of a stack's data file, as the synthesizer writes the file (compact JSON). */
export async function writeStackAdoption(paths: SyncPaths, stack: string, data: StackData, adopt: Adoption): Promise<void> {
  await writeFileAtomic(path.join(stackDir(paths, stack), STACK_DATA_FILE), JSON.stringify({ ...data, adopt }));
}

/** The stack's data file as the plan sees it. */
export async function readStackData(paths: SyncPaths, stack: string): Promise<StackData> {
  return JSON.parse(await readFile(path.join(stackDir(paths, stack), STACK_DATA_FILE), "utf8")) as StackData;
}

/**
 * Before a plan: adoptions whose object Okta no longer has (deleted since
 * `adopt` or `reshard` chose it) would fail every plan with Terraform's
 * "Cannot import non-existent remote object". They are dropped, with a
 * message; the account is then planned as a create, which checkCreates guards.
 */
export async function dropStaleAdoptions(stack: string, workspace: DesiredWorkspace, paths: SyncPaths, check: CreateCheck): Promise<void> {
  const data = await readStackData(paths, stack);
  const adoptedApps = Object.entries(data.adopt.apps);
  const adoptedGroups = Object.entries(data.adopt.accessGroups);
  if (adoptedApps.length + adoptedGroups.length === 0) return;
  const prefix = accessGroupPrefix(data.workspaceId);
  const kept = { apps: emptyMap<string>(), accessGroups: emptyMap<string>() };
  const dropped: string[] = [];
  const gone = new Set<string>();
  for (const [accountId, id] of adoptedApps) {
    if (await check.org.appExists(workspace.okta, id)) kept.apps[accountId] = id;
    else {
      gone.add(id);
      dropped.push(`app ${id} (account ${printable(accountId)})`);
    }
  }
  for (const [accountId, id] of adoptedGroups) {
    if (await check.org.groupExists(workspace.okta, id, prefix)) kept.accessGroups[accountId] = id;
    else {
      gone.add(id);
      dropped.push(`group ${id} (account ${printable(accountId)})`);
    }
  }
  if (dropped.length === 0) return;
  check.log(
    `${stack}: ${dropped.length} object${dropped.length === 1 ? "" : "s"} to adopt no longer exist${dropped.length === 1 ? "s" : ""} in Okta (deleted since adopt or reshard chose ${dropped.length === 1 ? "it" : "them"}): ` +
      `${dropped.sort(compareText).join(", ")}; dropped from ${adoptionFile(paths.stateDir, stack)}, and planned as new (checked against Okta first)`,
  );
  const file = adoptionFile(paths.stateDir, stack);
  const recorded = await mergeAdoption(file, { apps: emptyMap(), accessGroups: emptyMap() });
  await ensureFolder(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify({ apps: without(recorded.apps, gone), accessGroups: without(recorded.accessGroups, gone) }, null, 2)}\n`);
  await writeStackAdoption(paths, stack, data, kept);
}

function without(ids: Readonly<Record<string, string>>, gone: ReadonlySet<string>): Record<string, string> {
  const kept = emptyMap<string>();
  for (const [accountId, id] of Object.entries(ids)) if (!gone.has(id)) kept[accountId] = id;
  return kept;
}
