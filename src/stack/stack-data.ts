// The data file beside each stack's cdk.tf.json. Terraform reads it with
// jsondecode(file(...)): its strings are values, never templates, so names
// typed in Cerby reach Okta literally. See docs/design.md.
//
// Every map here is keyed by a Cerby ID, and Cerby IDs may be `__proto__` or
// `constructor`: the maps are built without a prototype so that such a key is
// an ordinary entry (JSON.stringify writes it like any other).
import { createHash } from "node:crypto";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { accessGroupName } from "./names.ts";
import { compareText } from "../text/printable.ts";

export { STACK_DATA_FILE } from "./names.ts";

export interface AppData {
  readonly label: string;
  readonly url: string;
  /** Okta group IDs of the IdP-managed teams that see the chiclet (the access group is added by the stack). */
  readonly groups: readonly string[];
}

export interface AccessGroupData {
  readonly name: string;
  readonly description: string;
  /** Cerby user IDs who see the chiclet directly or through a self-managed team. */
  readonly users: readonly string[];
}

/** Existing Okta objects to take under management (`cerby-okta adopt`), by account ID. */
export interface Adoption {
  readonly apps: Readonly<Record<string, string>>;
  readonly accessGroups: Readonly<Record<string, string>>;
}

export interface StackData {
  readonly version: 2;
  readonly workspaceId: string;
  /** One bookmark app per extended account, by account ID. */
  readonly apps: Readonly<Record<string, AppData>>;
  /** One access group per app, by account ID; it lives exactly as long as the app, possibly empty. */
  readonly accessGroups: Readonly<Record<string, AccessGroupData>>;
  /** Cerby user ID to Okta user ID, for users whose Okta ID is known. */
  readonly oktaUserIds: Readonly<Record<string, string>>;
  /** Cerby user ID to the Okta search expression that finds them by login, for the others. */
  readonly userSearches: Readonly<Record<string, string>>;
  /** Objects to import; empty maps when nothing is being adopted. */
  readonly adopt: Adoption;
  /**
   * Cerby user ID -> the Okta user ID their login last resolved to, for people
   * looked up by login: used when the lookup finds nobody, so that a changed
   * login holds their access instead of removing it.
   */
  readonly heldOktaUserIds: Readonly<Record<string, string>>;
  /** What Okta answered 404 for, left out of the stack (reported, never sent to Terraform). */
  readonly notInOkta: NotInOkta;
}

/**
 * okta/okta 4.20 refuses a group `name` over 255 at plan time, and counts
 * bytes (Go's `len` of the UTF-8 string): a name of 255 characters can be
 * 765 bytes. One non-ASCII account ID past the bound would fail the plan of
 * the whole stack, so the bound is in UTF-8 bytes.
 */
export const MAX_GROUP_NAME_BYTES = 255;
const HASH_LENGTH = 16;
export interface NotInOkta {
  /** Cerby user ID -> the `oktaUserId` Okta does not know; the person is looked up by login instead. */
  readonly users: Readonly<Record<string, string>>;
  /** Okta group IDs of IdP teams Okta does not know, sorted; left out of every assignment. */
  readonly teamGroups: readonly string[];
}

/**
 * What earlier plans learned from Okta about a stack's people and teams
 * (kept by src/sync/people-record.ts): applied to the data, so that the same
 * workspace gives the same data on every run and machine that has the record.
 */
export interface OktaFindings {
  /** Okta user IDs Okta answered 404 for. */
  readonly missingUsers: ReadonlySet<string>;
  /** IdP team group IDs Okta answered 404 for. */
  readonly missingGroups: ReadonlySet<string>;
  /** Cerby user ID -> the Okta user ID their login last resolved to. */
  readonly resolved: Readonly<Record<string, string>>;
}

export const NO_FINDINGS: OktaFindings = { missingUsers: new Set(), missingGroups: new Set(), resolved: {} };

/**
 * The access group's name: `cerby-okta/<workspace id>/<account id>`, or, past
 * 255 UTF-8 bytes, its longest start (whole characters) that leaves room for
 * `~` and 16 hex digits of the full name's SHA-256, so that two long IDs
 * sharing a start still get distinct names. The same IDs give the same name.
 * (ASCII names come out as they did when the bound was counted in characters.)
 */
export function boundedAccessGroupName(workspaceId: string, accountId: string): string {
  const full = accessGroupName(workspaceId, accountId);
  if (Buffer.byteLength(full, "utf8") <= MAX_GROUP_NAME_BYTES) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  return `${utf8Prefix(full, MAX_GROUP_NAME_BYTES - HASH_LENGTH - 1)}~${hash}`;
}

/** The longest start of `text` of whole code points within `maxBytes` UTF-8 bytes. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * Okta's search expression for one login. The provider sends `expression`
 * as it is (it escapes nothing), so quotes and backslashes are escaped here.
 */
export function loginSearch(login: string): string {
  return `profile.login eq "${login.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export const NO_ADOPTION: Adoption = { apps: {}, accessGroups: {} };

/** `workspace` may be a shard of a workspace (a StackUnit): group names stay those of the workspace, so a reshard renames nothing. */
export function buildStackData(
  workspace: DesiredWorkspace & { readonly workspaceId?: string },
  adopt: Adoption = NO_ADOPTION,
  findings: OktaFindings = NO_FINDINGS,
): StackData {
  const workspaceId = workspaceIdOf(workspace);
  const apps = emptyMap<AppData>();
  const accessGroups = emptyMap<AccessGroupData>();
  for (const chiclet of workspace.chiclets) {
    apps[chiclet.accountId] = { label: chiclet.label, url: chiclet.url, groups: chiclet.groups.filter((group) => !findings.missingGroups.has(group)) };
    accessGroups[chiclet.accountId] = {
      name: boundedAccessGroupName(workspaceId, chiclet.accountId),
      // IDs only: the label is hostile and may exceed Okta's description length.
      description: `People who see the chiclet of Cerby account ${chiclet.accountId} (workspace ${workspaceId}). Managed by cerby-okta: edits here are undone.`,
      users: [...chiclet.users],
    };
  }
  const oktaUserIds = emptyMap<string>();
  const userSearches = emptyMap<string>();
  const heldOktaUserIds = emptyMap<string>();
  const missingUsers = emptyMap<string>();
  for (const person of workspace.people) {
    if (person.oktaUserId !== undefined && !findings.missingUsers.has(person.oktaUserId)) {
      oktaUserIds[person.id] = person.oktaUserId;
      continue;
    }
    // An oktaUserId Okta does not know never reaches Terraform: the person is looked up by login instead.
    if (person.oktaUserId !== undefined) missingUsers[person.id] = person.oktaUserId;
    userSearches[person.id] = loginSearch(person.email);
    const held = Object.hasOwn(findings.resolved, person.id) ? findings.resolved[person.id] : undefined;
    if (held !== undefined && !findings.missingUsers.has(held)) heldOktaUserIds[person.id] = held;
  }
  const usedGroups = new Set(workspace.chiclets.flatMap((chiclet) => chiclet.groups));
  return {
    version: 2,
    workspaceId,
    apps,
    accessGroups,
    oktaUserIds,
    userSearches,
    adopt: { apps: onlyKnown(adopt.apps, apps), accessGroups: onlyKnown(adopt.accessGroups, apps) },
    heldOktaUserIds,
    notInOkta: { users: missingUsers, teamGroups: [...findings.missingGroups].filter((group) => usedGroups.has(group)).sort(compareText) },
  };
}

/** The workspace of a stack unit (a shard carries its workspace's ID), or of a workspace. */
export function workspaceIdOf(workspace: DesiredWorkspace & { readonly workspaceId?: string }): string {
  return workspace.workspaceId ?? workspace.id;
}

/** A map without a prototype: any Cerby ID is an ordinary key. */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Imports only for accounts the stack still has (an import into a missing address fails the plan). */
function onlyKnown(ids: Readonly<Record<string, string>>, apps: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept = emptyMap<string>();
  for (const [accountId, id] of Object.entries(ids)) if (Object.hasOwn(apps, accountId)) kept[accountId] = id;
  return kept;
}
