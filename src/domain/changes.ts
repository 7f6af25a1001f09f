// What changes in Okta, in Okta terms: chiclets created, relabelled, removed
// or adopted, and who gains or loses one. One vocabulary and one way to say
// it, whether the change comes from a Terraform plan (`plan`, `review`) or
// from comparing two desired states (`watch`).
import { compareText, printable } from "../text/printable.ts";
import type { Chiclet, DesiredWorkspace, Person } from "./desired-state.ts";

export interface ChicletChange {
  readonly accountId: string;
  readonly kind: "create" | "relabel" | "update" | "remove" | "replace" | "adopt";
  readonly label: string;
  readonly previousLabel?: string;
  /** For `adopt`: the existing Okta app taken under management. */
  readonly oktaAppId?: string;
}

export interface AccessChange {
  readonly accountId: string;
  /** The chiclet's label after the change (before it, for a removed chiclet). */
  readonly label: string;
  /** Cerby user IDs (Okta user IDs where the Cerby one is not known). */
  readonly gainedUsers: readonly string[];
  readonly lostUsers: readonly string[];
  /** Okta group IDs of IdP-managed teams. */
  readonly gainedGroups: readonly string[];
  readonly lostGroups: readonly string[];
}

export interface ChangeSet {
  /** Sorted by account ID. */
  readonly chiclets: readonly ChicletChange[];
  /** Sorted by account ID. */
  readonly access: readonly AccessChange[];
  /** Other things worth a line: a login or Okta ID that changed, the provider settings. */
  readonly notes?: readonly string[];
}

/** How people and groups are named in change lines. */
export interface Naming {
  person(cerbyOrOktaUserId: string): string;
  group(oktaGroupId: string): string;
}

export const BY_ID: Naming = { person: (id) => printable(id), group: (id) => `group ${printable(id)}` };

const SIGNS: Record<ChicletChange["kind"], string> = { create: "+", relabel: "~", update: "~", remove: "-", replace: "-/+", adopt: "<=" };

/** `new chiclet "X"`, `relabel "A" -> "B"`, ...; `quote` shows a label. */
export function describeChiclet(change: ChicletChange, quote: (text: string) => string): string {
  switch (change.kind) {
    case "create":
      return `new chiclet ${quote(change.label)}`;
    case "relabel":
      return `relabel ${quote(change.previousLabel ?? "")} -> ${quote(change.label)}`;
    case "update":
      return `update ${quote(change.label)}`;
    case "remove":
      return `remove chiclet ${quote(change.label)}`;
    case "replace":
      return `REPLACE ${quote(change.previousLabel ?? change.label)} (new Okta app ID; bookmarks break)`;
    case "adopt":
      return `adopt the existing Okta app ${change.oktaAppId ?? ""} as ${quote(change.label)} (imported, not recreated)`;
  }
}

export function chicletSign(change: ChicletChange): string {
  return SIGNS[change.kind];
}

/** One line per change: `+ a-1: new chiclet "X"`, `+ alice sees "X"`, `- group 00g1 no longer sees "X"`. */
export function describeChanges(changes: ChangeSet, naming: Naming = BY_ID): string[] {
  const quote = (label: string) => `"${printable(label, 70)}"`;
  const lines: string[] = [];
  for (const change of changes.chiclets) lines.push(`${SIGNS[change.kind]} ${printable(change.accountId)}: ${describeChiclet(change, quote)}`);
  for (const access of changes.access) {
    const label = quote(access.label);
    for (const user of access.gainedUsers) lines.push(`+ ${naming.person(user)} sees ${label}`);
    for (const group of access.gainedGroups) lines.push(`+ ${naming.group(group)} sees ${label}`);
    for (const user of access.lostUsers) lines.push(`- ${naming.person(user)} no longer sees ${label}`);
    for (const group of access.lostGroups) lines.push(`- ${naming.group(group)} no longer sees ${label}`);
  }
  for (const note of changes.notes ?? []) lines.push(`~ ${note}`);
  return lines;
}

/** What Okta changes when `before` (undefined: nothing yet) becomes `after`. */
export function diffDesired(before: DesiredWorkspace | undefined, after: DesiredWorkspace): ChangeSet {
  const chiclets: ChicletChange[] = [];
  const access: AccessChange[] = [];
  const old = new Map((before?.chiclets ?? []).map((chiclet) => [chiclet.accountId, chiclet]));
  for (const chiclet of after.chiclets) {
    const previous = old.get(chiclet.accountId);
    old.delete(chiclet.accountId);
    if (!previous) chiclets.push({ accountId: chiclet.accountId, kind: "create", label: chiclet.label });
    else if (previous.label !== chiclet.label) chiclets.push({ accountId: chiclet.accountId, kind: "relabel", label: chiclet.label, previousLabel: previous.label });
    else if (previous.url !== chiclet.url) chiclets.push({ accountId: chiclet.accountId, kind: "update", label: chiclet.label });
    const change = accessChange(chiclet.accountId, chiclet.label, previous, chiclet);
    if (change) access.push(change);
  }
  for (const gone of old.values()) {
    chiclets.push({ accountId: gone.accountId, kind: "remove", label: gone.label });
    const change = accessChange(gone.accountId, gone.label, gone, undefined);
    if (change) access.push(change);
  }
  chiclets.sort((a, b) => compareText(a.accountId, b.accountId));
  access.sort((a, b) => compareText(a.accountId, b.accountId));
  return { chiclets, access, notes: before ? settingsNotes(before, after) : [] };
}

function accessChange(accountId: string, label: string, before: Chiclet | undefined, after: Chiclet | undefined): AccessChange | undefined {
  const change = {
    accountId,
    label,
    gainedUsers: minus(after?.users ?? [], before?.users ?? []),
    lostUsers: minus(before?.users ?? [], after?.users ?? []),
    gainedGroups: minus(after?.groups ?? [], before?.groups ?? []),
    lostGroups: minus(before?.groups ?? [], after?.groups ?? []),
  };
  return change.gainedUsers.length + change.lostUsers.length + change.gainedGroups.length + change.lostGroups.length > 0 ? change : undefined;
}

function settingsNotes(before: DesiredWorkspace, after: DesiredWorkspace): string[] {
  const notes: string[] = [];
  const oldPeople = new Map<string, Person>(before.people.map((person) => [person.id, person]));
  for (const person of after.people) {
    const previous = oldPeople.get(person.id);
    if (!previous) continue;
    if (previous.email !== person.email) notes.push(`user ${printable(person.id)}: Okta login ${printable(previous.email)} -> ${printable(person.email)}`);
    if (previous.oktaUserId !== person.oktaUserId) {
      notes.push(`user ${printable(person.id)}: Okta user ID ${printable(previous.oktaUserId ?? "(looked up by login)")} -> ${printable(person.oktaUserId ?? "(looked up by login)")}`);
    }
  }
  if (JSON.stringify(before.okta) !== JSON.stringify(after.okta)) notes.push("Okta provider settings (org, domain or rate limits)");
  return notes;
}

/** Items of `a` not in `b`, each once, sorted. */
export function minus(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return [...new Set(a)].filter((item) => !other.has(item)).sort(compareText);
}
