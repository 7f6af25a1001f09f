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
  /** For `update`, `relabel` and `adopt`: what the apply changes on the app (for an adoption: on the app as Okta holds it). */
  readonly attributes?: readonly AttributeChange[];
}

/** One thing about a chiclet that differs between two readings, in Okta terms. */
export type AttributeChange =
  | { readonly attribute: "label"; readonly before: string; readonly after: string }
  /** The page the chiclet opens; `beforeHost`/`afterHost` say where people are sent. */
  | { readonly attribute: "url"; readonly before: string; readonly after: string; readonly beforeHost: string; readonly afterHost: string }
  /** ACTIVE or INACTIVE: an inactive app's chiclet is hidden from everyone. */
  | { readonly attribute: "status"; readonly before: string; readonly after: string }
  /** People in the access group (Cerby user IDs, Okta IDs for people the workspace does not name). */
  | { readonly attribute: "people"; readonly added: readonly string[]; readonly removed: readonly string[] }
  /** Groups assigned to the app: IdP team groups by Okta ID, the access group as `the access group`. */
  | { readonly attribute: "groups"; readonly added: readonly string[]; readonly removed: readonly string[] }
  /** The access group's name (Okta group names are unique per org). */
  | { readonly attribute: "name"; readonly before: string; readonly after: string }
  /** The object is gone from Okta. */
  | { readonly attribute: "deleted"; readonly what: string };

/** The host a URL sends people to (`evil.example`), lower case; the text itself when it is no URL. */
export function urlHost(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/** The URL and status differences of an app, and its label's unless `withLabel` is false. */
export function appAttributeChanges(
  before: { label?: string; url?: string; status?: string },
  after: { label?: string; url?: string; status?: string },
  withLabel = true,
): AttributeChange[] {
  const changes: AttributeChange[] = [];
  if (withLabel && before.label !== undefined && after.label !== undefined && before.label !== after.label) {
    changes.push({ attribute: "label", before: before.label, after: after.label });
  }
  if (before.url !== undefined && after.url !== undefined && before.url !== after.url) {
    changes.push({ attribute: "url", before: before.url, after: after.url, beforeHost: urlHost(before.url), afterHost: urlHost(after.url) });
  }
  if (before.status && after.status && before.status !== after.status) changes.push({ attribute: "status", before: before.status, after: after.status });
  return changes;
}

/** True for a URL change that sends people to another host: worth a warning of its own. */
export function movesHost(change: AttributeChange): boolean {
  return change.attribute === "url" && change.beforeHost !== change.afterHost;
}

/**
 * `URL https://a/x -> https://b/y (another host: a -> b)`, `status ACTIVE -> INACTIVE (deactivated: ...)`, ...
 * `show` makes a value from Okta printable (the terminal's by default; the review keeps labels whole and quotes literal).
 */
export function describeAttribute(change: AttributeChange, naming: Naming = BY_ID, show: (text: string, max: number) => string = printable): string {
  const url = (value: string) => show(value, 100);
  switch (change.attribute) {
    case "label":
      return `label "${show(change.before, 70)}" -> "${show(change.after, 70)}"`;
    case "name":
      return `name "${show(change.before, 70)}" -> "${show(change.after, 70)}"`;
    case "url":
      return `URL ${url(change.before)} -> ${url(change.after)} (${
        movesHost(change) ? `another host: ${show(change.beforeHost, 80)} -> ${show(change.afterHost, 80)}` : `same host ${show(change.afterHost, 80)}`
      })`;
    case "status":
      if (change.after === "INACTIVE") return `deactivated (status ${change.before} -> INACTIVE): its chiclet is hidden from everyone`;
      if (change.after === "ACTIVE") return `reactivated (status ${change.before} -> ACTIVE): its chiclet shows again to everyone assigned`;
      return `status ${show(change.before, 80)} -> ${show(change.after, 80)}`;
    case "people":
    case "groups": {
      const name = change.attribute === "people" ? naming.person : (group: string) => (group === ACCESS_GROUP_NAME ? group : naming.group(group));
      const parts = [
        ...(change.added.length > 0 ? [`${change.attribute === "people" ? "added to its access group" : "assigned"}: ${change.added.map(name).join(", ")}`] : []),
        ...(change.removed.length > 0 ? [`${change.attribute === "people" ? "removed from its access group" : "unassigned"}: ${change.removed.map(name).join(", ")}`] : []),
      ];
      return parts.join("; ");
    }
    case "deleted":
      return `${change.what} was deleted in Okta`;
  }
}

/** How an assignment of the account's own access group is named in attribute changes. */
export const ACCESS_GROUP_NAME = "the access group";

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
      return `relabel ${quote(change.previousLabel ?? "")} -> ${quote(change.label)}${attributesText(change, false)}`;
    case "update":
      return `update ${quote(change.label)}${attributesText(change)}`;
    case "remove":
      return `remove chiclet ${quote(change.label)}`;
    case "replace":
      return `REPLACE ${quote(change.previousLabel ?? change.label)} (new Okta app ID; bookmarks break)`;
    case "adopt": {
      const changed = change.attributes ?? [];
      return `adopt the existing Okta app ${change.oktaAppId ?? ""} as ${quote(change.label)} (imported, not recreated)${
        changed.length > 0 ? `; the import changes it: ${changed.map((attribute) => describeAttribute(attribute)).join("; ")}` : "; the import changes nothing on it"
      }`;
    }
  }
}

/** `: URL ... ; reactivated ...` for the changes a chiclet line carries (the label only where the line does not say it already). */
function attributesText(change: ChicletChange, withLabel = true): string {
  const shown = (change.attributes ?? []).filter((attribute) => withLabel || attribute.attribute !== "label");
  return shown.length > 0 ? `: ${shown.map((attribute) => describeAttribute(attribute)).join("; ")}` : "";
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
    else if (previous.url !== chiclet.url) {
      chiclets.push({ accountId: chiclet.accountId, kind: "update", label: chiclet.label, attributes: appAttributeChanges(previous, chiclet) });
    }
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
