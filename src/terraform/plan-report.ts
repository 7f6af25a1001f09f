// Reads `terraform show -json <plan>` and says what it means in Okta terms:
// chiclets created, relabelled, removed; who gains and who loses access.
// Pure code over the plan document. A line of the real output it reads:
// {"address":"okta_app_bookmark.app[\"a-1\"]","mode":"managed","type":"okta_app_bookmark","name":"app","index":"a-1",
//  "change":{"actions":["update"],"before":{"label":"Old - X",...},"after":{"label":"New - X",...}}}
import { z } from "zod";
import { ExternalError } from "../errors.ts";
import { compareText } from "../domain/labels.ts";

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
  }),
});

const PlanSchema = z.object({
  format_version: z.string(),
  resource_changes: z.array(ResourceChangeSchema).optional(),
  resource_drift: z.array(ResourceChangeSchema).optional(),
});

export type ResourceChange = z.infer<typeof ResourceChangeSchema>;
export type Action = "create" | "update" | "delete" | "replace" | "read" | "no-op";

export interface ChicletChange {
  readonly accountId: string;
  readonly kind: "create" | "relabel" | "update" | "remove" | "replace";
  readonly label: string;
  readonly previousLabel?: string;
}

export interface AccessChange {
  readonly accountId: string;
  /** The chiclet's label after the plan (before it, for a removed chiclet). */
  readonly label: string;
  /** Okta user IDs, or Cerby user IDs where the stack knows them. */
  readonly gainedUsers: readonly string[];
  readonly lostUsers: readonly string[];
  /** Okta group IDs. */
  readonly gainedGroups: readonly string[];
  readonly lostGroups: readonly string[];
}

export interface PlanReport {
  readonly stack: string;
  readonly hasChanges: boolean;
  /** `okta_app_bookmark: { create: 2, update: 1 }` */
  readonly counts: Record<string, Partial<Record<Action, number>>>;
  readonly chiclets: readonly ChicletChange[];
  readonly access: readonly AccessChange[];
  /** Apps the plan deletes or replaces: every one is a chiclet people lose. */
  readonly appsRemoved: number;
  readonly appsReplaced: number;
  /** Changes made outside Terraform (the Okta console) found by the refresh. */
  readonly drift: readonly { address: string; actions: readonly string[] }[];
  /** Okta API calls the apply will make, estimated per change. */
  readonly applyApiCalls: number;
}

export function actionOf(actions: readonly string[]): Action {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.length === 1 && ["create", "update", "delete", "read", "no-op"].includes(actions[0]!)) return actions[0] as Action;
  return "no-op";
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
const groupIds = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((block) => text((block as { id?: unknown })?.id)).filter(Boolean) : [];
const minus = (a: readonly string[], b: readonly string[]) => {
  const other = new Set(b);
  return [...new Set(a)].filter((item) => !other.has(item)).sort();
};

export interface PlanContext {
  /** Okta user ID -> Cerby user ID, so that people are named as the workspace names them; unknown IDs are shown as they are. */
  readonly oktaToCerby?: ReadonlyMap<string, string>;
  /** Account ID -> label, for access changes on chiclets that are not themselves changing. */
  readonly labels?: ReadonlyMap<string, string>;
}

export function readPlan(stack: string, planJson: unknown, context: PlanContext = {}): PlanReport {
  const oktaToCerby = context.oktaToCerby ?? new Map<string, string>();
  const parsed = PlanSchema.safeParse(planJson);
  if (!parsed.success) {
    throw new ExternalError(`the plan of stack ${stack} is not a Terraform JSON plan: ${parsed.error.issues[0]?.message}`);
  }
  const changes = (parsed.data.resource_changes ?? []).filter((change) => change.mode === "managed");
  const counts: PlanReport["counts"] = {};
  const chiclets: ChicletChange[] = [];
  const access = new Map<string, { gainedUsers: string[]; lostUsers: string[]; gainedGroups: string[]; lostGroups: string[] }>();
  const accessOf = (accountId: string) => {
    let entry = access.get(accountId);
    if (!entry) access.set(accountId, (entry = { gainedUsers: [], lostUsers: [], gainedGroups: [], lostGroups: [] }));
    return entry;
  };
  const person = (oktaUserId: string) => oktaToCerby.get(oktaUserId) ?? oktaUserId;
  // Access groups are ours: they are reported as the people in them, not as a group.
  const accessGroupIds = new Set<string>();
  for (const change of changes) {
    if (change.type === "okta_group" && change.name === "access") {
      for (const side of [change.change.before, change.change.after]) if (text(side?.id)) accessGroupIds.add(text(side?.id));
    }
  }

  let appsRemoved = 0;
  let appsReplaced = 0;
  let applyApiCalls = 0;
  for (const change of changes) {
    const action = actionOf(change.change.actions);
    if (action === "no-op" || action === "read") continue;
    (counts[change.type] ??= {})[action] = (counts[change.type]![action] ?? 0) + 1;
    const accountId = String(change.index ?? "");
    const before = change.change.before ?? {};
    const after = change.change.after ?? {};
    applyApiCalls += estimateCalls(change.type, action, before, after);

    if (change.type === "okta_app_bookmark") {
      const label = text(after.label) || text(before.label);
      if (action === "create") chiclets.push({ accountId, kind: "create", label });
      if (action === "delete") {
        appsRemoved++;
        chiclets.push({ accountId, kind: "remove", label: text(before.label) });
      }
      if (action === "replace") {
        appsReplaced++;
        chiclets.push({ accountId, kind: "replace", label, previousLabel: text(before.label) });
      }
      if (action === "update") {
        const relabel = text(before.label) !== text(after.label);
        chiclets.push(relabel ? { accountId, kind: "relabel", label, previousLabel: text(before.label) } : { accountId, kind: "update", label });
      }
    }
    if (change.type === "okta_group_memberships") {
      const beforeUsers = strings(before.users);
      const afterUsers = action === "delete" ? [] : strings(after.users);
      const entry = accessOf(accountId);
      entry.gainedUsers.push(...minus(afterUsers, beforeUsers).map(person));
      entry.lostUsers.push(...minus(beforeUsers, afterUsers).map(person));
    }
    if (change.type === "okta_app_group_assignments") {
      const beforeGroups = groupIds(before.group).filter((id) => !accessGroupIds.has(id));
      const afterGroups = action === "delete" ? [] : groupIds(after.group).filter((id) => !accessGroupIds.has(id));
      const entry = accessOf(accountId);
      entry.gainedGroups.push(...minus(afterGroups, beforeGroups));
      entry.lostGroups.push(...minus(beforeGroups, afterGroups));
    }
  }

  const drift = (parsed.data.resource_drift ?? [])
    .filter((change) => change.mode === "managed" && actionOf(change.change.actions) !== "no-op")
    .map((change) => ({ address: change.address, actions: change.change.actions }));
  const bookmarkLabels = new Map(
    changes
      .filter((change) => change.type === "okta_app_bookmark")
      .map((change) => [String(change.index ?? ""), text(change.change.after?.label) || text(change.change.before?.label)]),
  );
  const accessChanges = [...access]
    .map(([accountId, entry]) => ({
      accountId,
      label: bookmarkLabels.get(accountId) || context.labels?.get(accountId) || accountId,
      gainedUsers: [...new Set(entry.gainedUsers)].sort(),
      lostUsers: [...new Set(entry.lostUsers)].sort(),
      gainedGroups: entry.gainedGroups,
      lostGroups: entry.lostGroups,
    }))
    .filter((entry) => entry.gainedUsers.length + entry.lostUsers.length + entry.gainedGroups.length + entry.lostGroups.length > 0)
    .sort((a, b) => compareText(a.accountId, b.accountId));
  chiclets.sort((a, b) => compareText(a.accountId, b.accountId));

  return {
    stack,
    hasChanges: Object.keys(counts).length > 0,
    counts,
    chiclets,
    access: accessChanges,
    appsRemoved,
    appsReplaced,
    drift,
    applyApiCalls,
  };
}

/** Calls one change costs on apply, following the Okta routes the provider uses. */
function estimateCalls(type: string, action: Action, before: Record<string, unknown>, after: Record<string, unknown>): number {
  const replaceOr = (create: number, remove: number) => (action === "replace" ? create + remove : action === "create" ? create : action === "delete" ? remove : 1);
  switch (type) {
    case "okta_app_bookmark":
      // create: POST app; delete: deactivate then DELETE.
      return replaceOr(1, 2);
    case "okta_group":
      return replaceOr(1, 1);
    case "okta_group_memberships": {
      // One PUT or DELETE per member added or removed.
      const beforeUsers = action === "create" ? [] : strings(before.users);
      const afterUsers = action === "delete" ? [] : strings(after.users);
      return Math.max(1, minus(afterUsers, beforeUsers).length + minus(beforeUsers, afterUsers).length);
    }
    case "okta_app_group_assignments": {
      const beforeGroups = action === "create" ? [] : groupIds(before.group);
      const afterGroups = action === "delete" ? [] : groupIds(after.group);
      return Math.max(1, minus(afterGroups, beforeGroups).length + minus(beforeGroups, afterGroups).length);
    }
    default:
      return 1;
  }
}
