// Reads `terraform show -json <plan>` and says what it means in Okta terms:
// chiclets created, relabelled, removed or adopted; who gains and who loses
// access; people Okta could not find; what the apply will cost. Pure code
// over the plan document. A line of the real output it reads:
// {"address":"okta_app_bookmark.app[\"a-1\"]","mode":"managed","type":"okta_app_bookmark","name":"app","index":"a-1",
//  "change":{"actions":["update"],"before":{"label":"Old - X",...},"after":{"label":"New - X",...}}}
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  addCalls,
  assignmentsCreateCalls,
  assignmentsDeleteCalls,
  assignmentsUpdateCalls,
  membershipsCreateCalls,
  membershipsDeleteCalls,
  membershipsUpdateCalls,
  DEFAULT_PROVIDER_RELEASE,
  MODELLED_PROVIDER_RELEASES,
  operationCalls,
  type Calls,
  type OktaProviderRelease,
  type OperationCalls,
} from "../domain/api-cost.ts";

import { ExternalError } from "../errors.ts";
import { ACCESS_GROUP_NAME, appAttributeChanges, minus, movesHost, type AccessChange, type AttributeChange, type ChicletChange } from "../domain/changes.ts";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, APPLY_DONE, ASSIGNMENTS, isResource, USER_LOOKUP } from "../stack/names.ts";
import { compareText } from "../text/printable.ts";
import { namesFor, type StackReaders } from "../domain/readers.ts";

/** The apply record's resources (src/stack/apply-record.ts): not Okta objects. */
const RECORD_TYPE = APPLY_DONE.type;

const ResourceChangeSchema = z.object({
  address: z.string(),
  mode: z.string(),
  type: z.string(),
  name: z.string(),
  index: z.union([z.string(), z.number()]).optional(),
  change: z.object({
    actions: z.array(z.string()),
    before: z.record(z.string(), z.unknown()).nullable().optional(),
    after: z.record(z.string(), z.unknown()).nullable().optional(),
    importing: z.object({ id: z.string().optional() }).nullable().optional(),
  }),
});

const StateResourceSchema = z.object({
  mode: z.string().optional(),
  type: z.string().optional(),
  name: z.string().optional(),
  index: z.union([z.string(), z.number()]).optional(),
  values: z.record(z.string(), z.unknown()).optional(),
});

const PlanSchema = z.object({
  format_version: z.string(),
  resource_changes: z.array(ResourceChangeSchema).optional(),
  resource_drift: z.array(ResourceChangeSchema).optional(),
  prior_state: z.object({ values: z.object({ root_module: z.object({ resources: z.array(StateResourceSchema).optional() }).optional() }).optional() }).optional(),
  configuration: z.object({ provider_config: z.object({ okta: z.object({ version_constraint: z.string().optional() }).optional() }).optional() }).optional(),
});

/** The okta/okta release the plan's configuration asks for (an exact version, as the stacks write it), else the default. */
function releaseOf(plan: z.infer<typeof PlanSchema>): OktaProviderRelease {
  const asked = plan.configuration?.provider_config?.okta?.version_constraint?.trim();
  return MODELLED_PROVIDER_RELEASES.find((release) => release === asked) ?? DEFAULT_PROVIDER_RELEASE;
}

export type ResourceChange = z.infer<typeof ResourceChangeSchema>;
export type Action = "create" | "update" | "delete" | "replace" | "read" | "no-op";

/** Someone who should see chiclets but whom Okta did not find by login: their chiclets wait. */
export interface UnresolvedPerson {
  readonly cerbyUserId: string;
  /** The search Okta was asked. */
  readonly search: string;
  /** The Okta user ID their login resolved to before: kept, so their access is held, not removed. */
  readonly heldOktaUserId?: string;
  /** The `oktaUserId` Okta does not know, which made them looked up by login instead. */
  readonly missingOktaUserId?: string;
}

/** A stack's plan in Okta terms; its `chiclets` and `access` are a ChangeSet. */
export interface PlanReport {
  readonly stack: string;
  /** Changes to Okta objects. */
  readonly hasChanges: boolean;
  /**
   * Changes to the apply record in the state (src/stack/apply-record.ts), not
   * in `counts`: no Okta request. `apply` runs Terraform for them too, so that
   * the state records these files (after a backend move, an adoption, ...).
   */
  readonly recordChanges?: number;
  /** `okta_app_bookmark: { create: 2, update: 1 }` */
  readonly counts: Record<string, Partial<Record<Action | "import", number>>>;
  readonly chiclets: readonly ChicletChange[];
  readonly access: readonly AccessChange[];
  /** Apps the stack held before this plan. */
  readonly existingApps: number;
  /** Apps the plan deletes or replaces: every one is a chiclet people lose. */
  readonly appsRemoved: number;
  readonly appsReplaced: number;
  /** Pairs of (person or IdP group, chiclet) that see something before the plan. */
  readonly existingAccess: number;
  /** Of those, the pairs the plan takes away (lost access is a removal too). */
  readonly accessLost: number;
  /** Changes made outside Terraform (the Okta console) found by the refresh, attribute by attribute. */
  readonly drift: readonly Drift[];
  /** Changes worth a warning of their own: a chiclet's URL moved to another host (in the console, or by an adoption's import). */
  readonly warnings: readonly PlanWarning[];
  /** Okta API calls the apply will make, by rate-limit bucket. */
  readonly applyCalls: Calls;
  /** Accounts whose group memberships or app assignments the apply updates in place: checked against Okta afterwards. */
  readonly accountsToVerify: readonly string[];
  readonly unresolvedPeople: readonly UnresolvedPerson[];
  /** From the desired state: the logins and team names of those the report mentions, the org, the refused accounts (absent in plans saved by earlier versions). */
  readonly readers?: StackReaders;
  /** People and teams Okta does not know or no longer finds, each named with what waits and what to do (src/sync/okta-checks.ts). */
  readonly oktaWarnings?: readonly string[];
  /**
   * `sha256:` of what the plan does: each acting change's address, actions,
   * values before and after, and import ID. The same workspaces against the
   * same state and Okta give the same digest; a review prints it, and
   * `apply --expect-digest` applies a plan only while it is still that one.
   */
  readonly digest: string;
}

/** One object changed in Okta since Terraform last wrote or read it. */
export interface Drift {
  /** As Terraform writes it and `terraform state` commands take it: `okta_app_bookmark.app["a-1"]`. */
  readonly address: string;
  readonly actions: readonly string[];
  readonly accountId: string;
  /** The chiclet's label as the workspace wants it. */
  readonly label: string;
  /** What changed in Okta: state (before) -> Okta now (after). */
  readonly changes: readonly AttributeChange[];
}

export interface PlanWarning {
  readonly accountId: string;
  readonly label: string;
  readonly message: string;
}

function planDigest(changes: readonly z.infer<typeof ResourceChangeSchema>[]): string {
  const acting = changes
    .filter((change) => change.change.importing || !["no-op", "read"].includes(actionOf(change.change.actions)))
    .map((change) => [change.address, change.change.actions, change.change.before ?? null, change.change.after ?? null, change.change.importing?.id ?? null])
    .sort(([a], [b]) => compareText(String(a), String(b)));
  return `sha256:${createHash("sha256").update(JSON.stringify(acting)).digest("hex")}`;
}

/** No app in the state yet, and some to create: a stack's first sync (what Okta already holds decides whether that duplicates). */
export function isFirstSync(report: PlanReport): boolean {
  return report.existingApps === 0 && report.chiclets.some((change) => change.kind === "create");
}

export function actionOf(actions: readonly string[]): Action {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.length === 1 && ["create", "update", "delete", "read", "no-op"].includes(actions[0]!)) return actions[0] as Action;
  return "no-op";
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
export const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
export const groupIds = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((block) => text((block as { id?: unknown })?.id)).filter(Boolean) : [];

export interface PlanContext {
  /** Okta user ID -> Cerby user ID, so that people are named as the workspace names them; unknown IDs are shown as they are. */
  readonly oktaToCerby?: ReadonlyMap<string, string>;
  /** Account ID -> label, for access changes on chiclets that are not themselves changing. */
  readonly labels?: ReadonlyMap<string, string>;
  /** The stack's workspace as its readers know it: logins, team names, org, refused accounts. */
  readonly readers?: StackReaders;
}

interface AccessEntry {
  gainedUsers: string[];
  lostUsers: string[];
  gainedGroups: string[];
  lostGroups: string[];
}

export function readPlan(stack: string, planJson: unknown, context: PlanContext = {}): PlanReport {
  const oktaToCerby = context.oktaToCerby ?? new Map<string, string>();
  const parsed = PlanSchema.safeParse(planJson);
  if (!parsed.success) {
    throw new ExternalError(`the plan of stack ${stack} is not a Terraform JSON plan: ${parsed.error.issues[0]?.message}`);
  }
  const managed = (parsed.data.resource_changes ?? []).filter((change) => change.mode === "managed");
  // The apply record (terraform_data) is not Okta's: counted apart, so that the report stays in Okta terms.
  const changes = managed.filter((change) => change.type !== RECORD_TYPE);
  const recordChanges = managed.filter((change) => change.type === RECORD_TYPE && actionOf(change.change.actions) !== "no-op").length;
  const counts: PlanReport["counts"] = {};
  const chiclets: ChicletChange[] = [];
  const access = new Map<string, AccessEntry>();
  const accessOf = (accountId: string) => {
    let entry = access.get(accountId);
    if (!entry) access.set(accountId, (entry = { gainedUsers: [], lostUsers: [], gainedGroups: [], lostGroups: [] }));
    return entry;
  };
  const person = (oktaUserId: string) => oktaToCerby.get(oktaUserId) ?? oktaUserId;
  // Access groups are ours: they are reported as the people in them, not as a group.
  const accessGroupIds = new Set<string>();
  for (const change of changes) {
    if (isResource(change, ACCESS_GROUP)) {
      for (const side of [change.change.before, change.change.after]) if (text(side?.id)) accessGroupIds.add(text(side?.id));
    }
  }
  const teamGroups = (value: unknown) => groupIds(value).filter((id) => !accessGroupIds.has(id));

  let appsRemoved = 0;
  let appsReplaced = 0;
  let existingApps = 0;
  let existingAccess = 0;
  let accessLost = 0;
  const costs: Calls[] = [];
  const operations = operationCalls(releaseOf(parsed.data));
  const toVerify = new Set<string>();
  let appWrites = 0;
  for (const change of changes) {
    const action = actionOf(change.change.actions);
    const importing = change.change.importing ? text(change.change.importing.id) || "(import)" : undefined;
    const accountId = String(change.index ?? "");
    // An import's `before` is what Okta holds now: what people lose is measured against it.
    const before = change.change.before ?? {};
    const after = change.change.after ?? {};
    const existed = action !== "create" && !importing;
    if (isResource(change, APP) && existed) existingApps++;
    if (action !== "create" && isResource(change, ACCESS_MEMBERS)) existingAccess += stringList(before.users).length;
    if (action !== "create" && isResource(change, ASSIGNMENTS)) existingAccess += teamGroups(before.group).length;
    if (action === "no-op" && !importing) continue;
    if (action === "read") continue;
    const counted = importing ? "import" : action;
    (counts[change.type] ??= {})[counted] = (counts[change.type]![counted] ?? 0) + 1;
    costs.push(applyCost(operations, change.type, action, before, after, (value) => groupIds(value)));
    if (isResource(change, APP) && (action === "create" || action === "update" || action === "replace")) appWrites++;

    if (isResource(change, APP)) {
      const label = text(after.label) || text(change.change.before?.label);
      const attributes = appAttributeChanges(appValues(before), appValues(after));
      // The import ID is `<app id>` or, for okta/okta 6.x, `<app id>/skip_authentication_policy`.
      if (importing) chiclets.push({ accountId, kind: "adopt", label, oktaAppId: importing.split("/")[0]!, attributes });
      else if (action === "create") chiclets.push({ accountId, kind: "create", label });
      else if (action === "delete") {
        appsRemoved++;
        chiclets.push({ accountId, kind: "remove", label: text(before.label) });
      } else if (action === "replace") {
        appsReplaced++;
        chiclets.push({ accountId, kind: "replace", label, previousLabel: text(before.label) });
      } else if (action === "update") {
        const relabel = text(before.label) !== text(after.label);
        chiclets.push(relabel ? { accountId, kind: "relabel", label, previousLabel: text(before.label), attributes } : { accountId, kind: "update", label, attributes });
      }
    }
    if (isResource(change, ACCESS_MEMBERS)) {
      const beforeUsers = stringList(before.users);
      const afterUsers = action === "delete" ? [] : stringList(after.users);
      const lost = minus(beforeUsers, afterUsers);
      const entry = accessOf(accountId);
      entry.gainedUsers.push(...minus(afterUsers, beforeUsers).map(person));
      entry.lostUsers.push(...lost.map(person));
      accessLost += lost.length;
      if (action === "update" || importing) toVerify.add(accountId);
    }
    if (isResource(change, ASSIGNMENTS)) {
      const beforeGroups = teamGroups(before.group);
      const afterGroups = action === "delete" ? [] : teamGroups(after.group);
      const lost = minus(beforeGroups, afterGroups);
      const entry = accessOf(accountId);
      entry.gainedGroups.push(...minus(afterGroups, beforeGroups));
      entry.lostGroups.push(...lost);
      accessLost += lost.length;
      if (action === "update" || importing) toVerify.add(accountId);
    }
  }

  const bookmarkLabels = new Map(
    changes.filter((change) => isResource(change, APP)).map((change) => [String(change.index ?? ""), text(change.change.after?.label) || text(change.change.before?.label)]),
  );
  const labelOf = (accountId: string) => bookmarkLabels.get(accountId) || context.labels?.get(accountId) || accountId;
  const drift: Drift[] = (parsed.data.resource_drift ?? [])
    .filter((change) => change.mode === "managed" && actionOf(change.change.actions) !== "no-op")
    .map((change) => {
      const accountId = String(change.index ?? "");
      return { address: change.address, actions: change.change.actions, accountId, label: labelOf(accountId), changes: driftChanges(change, person, accessGroupIds) };
    })
    .sort((a, b) => compareText(a.accountId, b.accountId) || compareText(a.address, b.address));
  const warnings: PlanWarning[] = [
    ...drift.flatMap((entry) =>
      entry.changes.filter(movesHost).map((change) => ({
        accountId: entry.accountId,
        label: entry.label,
        message: `its URL was moved to another host in Okta: ${hostMove(change)}; people clicking the chiclet are sent there until the apply points it back`,
      })),
    ),
    ...chiclets
      .filter((change) => change.kind === "adopt")
      .flatMap((change) =>
        (change.attributes ?? []).filter(movesHost).map((attribute) => ({
          accountId: change.accountId,
          label: change.label,
          message: `the Okta app being adopted points at another host: ${hostMove(attribute, true)}; the import repoints it`,
        })),
      ),
  ];
  const accessChanges = [...access]
    .map(([accountId, entry]) => ({
      accountId,
      label: labelOf(accountId),
      gainedUsers: [...new Set(entry.gainedUsers)].sort(compareText),
      lostUsers: [...new Set(entry.lostUsers)].sort(compareText),
      gainedGroups: entry.gainedGroups,
      lostGroups: entry.lostGroups,
    }))
    .filter((entry) => entry.gainedUsers.length + entry.lostUsers.length + entry.gainedGroups.length + entry.lostGroups.length > 0)
    .sort((a, b) => compareText(a.accountId, b.accountId));
  chiclets.sort((a, b) => compareText(a.accountId, b.accountId));
  const hasChanges = Object.keys(counts).length > 0;
  const unresolved = unresolvedPeople(parsed.data.prior_state?.values?.root_module?.resources ?? []);
  const drifted = (attribute: "people" | "groups") =>
    drift.flatMap((entry) => entry.changes.flatMap((change) => (change.attribute === attribute ? [...change.added, ...change.removed] : [])));
  const readers = context.readers && {
    org: context.readers.org,
    refused: context.readers.refused,
    ...namesFor(
      context.readers,
      [...accessChanges.flatMap((entry) => [...entry.gainedUsers, ...entry.lostUsers]), ...unresolved.map((person) => person.cerbyUserId), ...drifted("people")],
      [...accessChanges.flatMap((entry) => [...entry.gainedGroups, ...entry.lostGroups]), ...drifted("groups")],
    ),
  };

  return {
    stack,
    hasChanges,
    ...(recordChanges > 0 ? { recordChanges } : {}),
    counts,
    chiclets,
    access: accessChanges,
    existingApps,
    appsRemoved,
    appsReplaced,
    existingAccess,
    accessLost,
    drift,
    warnings,
    applyCalls: hasChanges ? addCalls(operations.configure, appWrites > 0 ? operations.orgKind : {}, ...costs) : {},
    accountsToVerify: [...toVerify].sort(compareText),
    unresolvedPeople: unresolved,
    ...(readers ? { readers } : {}),
    digest: planDigest(changes),
  };
}

const appValues = (values: Record<string, unknown>) => ({
  label: typeof values.label === "string" ? values.label : undefined,
  url: typeof values.url === "string" ? values.url : undefined,
  status: typeof values.status === "string" ? values.status : undefined,
});

/** `evil.example (https://evil.example/x), was vendor.example`, or for an adoption the other way round. */
function hostMove(change: AttributeChange, adopting = false): string {
  if (change.attribute !== "url") return "";
  return adopting
    ? `${change.beforeHost} (${change.before}), to become ${change.afterHost}`
    : `${change.afterHost} (${change.after}), was ${change.beforeHost}`;
}

/**
 * One drift entry in Okta terms: `before` is what the state held, `after`
 * what Okta holds now. A line of the real output it reads:
 * {"address":"okta_app_bookmark.app[\"a-1\"]",...,"change":{"actions":["update"],"before":{"url":"https://vendor.example/",...},"after":{"url":"https://evil.example/x",...}}}
 */
function driftChanges(change: ResourceChange, person: (oktaUserId: string) => string, accessGroupIds: ReadonlySet<string>): AttributeChange[] {
  const before = change.change.before ?? {};
  const after = change.change.after;
  const what = isResource(change, APP) ? "its app" : isResource(change, ACCESS_GROUP) ? "its access group" : isResource(change, ACCESS_MEMBERS) ? "its access group's membership" : "its group assignments";
  if (after === null || after === undefined || change.change.actions.includes("delete")) return [{ attribute: "deleted", what }];
  if (isResource(change, APP)) return appAttributeChanges(appValues(before), appValues(after));
  if (isResource(change, ACCESS_MEMBERS)) {
    const [was, now] = [stringList(before.users), stringList(after.users)];
    return [{ attribute: "people", added: minus(now, was).map(person), removed: minus(was, now).map(person) }];
  }
  if (isResource(change, ASSIGNMENTS)) {
    const named = (ids: string[]) => ids.map((id) => (accessGroupIds.has(id) ? ACCESS_GROUP_NAME : id));
    const [was, now] = [groupIds(before.group), groupIds(after.group)];
    return [{ attribute: "groups", added: named(minus(now, was)), removed: named(minus(was, now)) }];
  }
  if (isResource(change, ACCESS_GROUP)) return text(before.name) !== text(after.name) ? [{ attribute: "name", before: text(before.name), after: text(after.name) }] : [];
  return [];
}

/** People looked up by login whom Okta did not find (the lookup answered no user). */
function unresolvedPeople(resources: readonly z.infer<typeof StateResourceSchema>[]): UnresolvedPerson[] {
  return resources
    .filter((resource) => isResource(resource, USER_LOOKUP) && Array.isArray(resource.values?.users) && resource.values.users.length === 0)
    .map((resource) => ({
      cerbyUserId: String(resource.index ?? ""),
      search: text((resource.values?.search as { expression?: unknown }[] | undefined)?.[0]?.expression),
    }))
    .sort((a, b) => compareText(a.cerbyUserId, b.cerbyUserId));
}

/** Okta user IDs the plan found by login, by Cerby user ID. */
export function lookedUpUsers(planJson: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const parsed = PlanSchema.safeParse(planJson);
  for (const resource of parsed.success ? (parsed.data.prior_state?.values?.root_module?.resources ?? []) : []) {
    if (!isResource(resource, USER_LOOKUP)) continue;
    const first = (resource.values?.users as { id?: unknown }[] | undefined)?.[0];
    if (typeof first?.id === "string") found.set(first.id, String(resource.index ?? ""));
  }
  return found;
}

/** Calls one change costs on apply, as the plan's okta/okta release makes them. */
function applyCost(operations: OperationCalls, type: string, action: Action, before: Record<string, unknown>, after: Record<string, unknown>, groups: (value: unknown) => string[]): Calls {
  const creating = action === "create" || action === "replace" || action === "no-op"; // no-op here means an import: read only
  const deleting = action === "delete" || action === "replace";
  switch (type) {
    case APP.type:
      if (action === "no-op") return operations.appRead;
      return addCalls(creating ? operations.appCreate : {}, deleting ? operations.appDelete : {}, action === "update" ? operations.appUpdate : {});
    case ACCESS_GROUP.type:
      if (action === "no-op") return operations.groupRead;
      return addCalls(creating ? operations.groupCreate : {}, deleting ? operations.groupDelete : {}, action === "update" ? operations.groupUpdate : {});
    case ACCESS_MEMBERS.type: {
      const beforeUsers = stringList(before.users);
      const afterUsers = stringList(after.users);
      if (action === "update") return membershipsUpdateCalls(minus(afterUsers, beforeUsers).length, minus(beforeUsers, afterUsers).length);
      return addCalls(deleting ? membershipsDeleteCalls(beforeUsers.length) : {}, creating && action !== "no-op" ? membershipsCreateCalls(afterUsers.length) : {});
    }
    case ASSIGNMENTS.type: {
      const beforeGroups = groups(before.group);
      const afterGroups = groups(after.group);
      if (action === "update") return assignmentsUpdateCalls(minus(beforeGroups, afterGroups).length, afterGroups.length);
      return addCalls(deleting ? assignmentsDeleteCalls(beforeGroups.length) : {}, creating && action !== "no-op" ? assignmentsCreateCalls(afterGroups.length) : {});
    }
    default:
      return {};
  }
}
