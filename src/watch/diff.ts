// What changed between two versions of a workspace's desired state, in Okta
// terms, and whether its stack must be written again.
import { printable, type Chiclet, type DesiredWorkspace, type Person } from "../domain/desired-state.ts";

/**
 * True when the stack output differs: everything the stack and its data file
 * are built from (docs/design.md): the ID, the provider settings, each
 * chiclet's label, URL, users and groups, and each person's login and Okta ID.
 * Also catches a label renumbered because of another workspace in the same org.
 */
export function stackChanged(before: DesiredWorkspace, after: DesiredWorkspace): boolean {
  if (before.id !== after.id || before.synced !== after.synced) return true;
  if (JSON.stringify(before.okta) !== JSON.stringify(after.okta)) return true;
  if (before.chiclets.length !== after.chiclets.length || before.people.length !== after.people.length) return true;
  for (let index = 0; index < after.chiclets.length; index++) {
    if (!sameChiclet(before.chiclets[index]!, after.chiclets[index]!)) return true;
  }
  for (let index = 0; index < after.people.length; index++) {
    const a = before.people[index]!;
    const b = after.people[index]!;
    if (a.id !== b.id || a.email !== b.email || a.oktaUserId !== b.oktaUserId) return true;
  }
  return false;
}

function sameChiclet(a: Chiclet, b: Chiclet): boolean {
  return a.accountId === b.accountId && a.label === b.label && a.url === b.url && sameList(a.users, b.users) && sameList(a.groups, b.groups);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * Lines such as `+ alice@acme.example sees Contentzilla - Instagram`. Every
 * text that came from the input goes through `printable` (control characters
 * escaped). `teamNames` maps Okta group IDs to team names, for readability.
 */
export function describeChanges(before: DesiredWorkspace | undefined, after: DesiredWorkspace, teamNames: ReadonlyMap<string, string> = new Map()): string[] {
  const lines: string[] = [];
  const people = new Map<string, Person>();
  for (const person of before?.people ?? []) people.set(person.id, person);
  for (const person of after.people) people.set(person.id, person);
  const who = (userId: string) => printable(people.get(userId)?.email ?? userId);
  const group = (groupId: string) => {
    const team = teamNames.get(groupId);
    return team === undefined ? `group ${printable(groupId)}` : `group ${printable(groupId)} (team ${printable(team)})`;
  };

  const old = new Map((before?.chiclets ?? []).map((chiclet) => [chiclet.accountId, chiclet]));
  for (const chiclet of after.chiclets) {
    const previous = old.get(chiclet.accountId);
    old.delete(chiclet.accountId);
    if (previous && sameChiclet(previous, chiclet)) continue;
    const label = printable(chiclet.label);
    if (!previous) {
      lines.push(`+ chiclet ${label} (account ${printable(chiclet.accountId)})`);
      for (const user of chiclet.users) lines.push(`+ ${who(user)} sees ${label}`);
      for (const groupId of chiclet.groups) lines.push(`+ ${group(groupId)} sees ${label}`);
      continue;
    }
    if (previous.label !== chiclet.label) lines.push(`~ relabel "${printable(previous.label)}" -> "${label}" (account ${printable(chiclet.accountId)})`);
    if (previous.url !== chiclet.url) lines.push(`~ url of ${label}: ${printable(previous.url)} -> ${printable(chiclet.url)}`);
    const [usersAdded, usersRemoved] = listDiff(previous.users, chiclet.users);
    for (const user of usersAdded) lines.push(`+ ${who(user)} sees ${label}`);
    for (const user of usersRemoved) lines.push(`- ${who(user)} no longer sees ${label}`);
    const [groupsAdded, groupsRemoved] = listDiff(previous.groups, chiclet.groups);
    for (const groupId of groupsAdded) lines.push(`+ ${group(groupId)} sees ${label}`);
    for (const groupId of groupsRemoved) lines.push(`- ${group(groupId)} no longer sees ${label}`);
  }
  for (const chiclet of old.values()) lines.push(`- chiclet ${printable(chiclet.label)} (account ${printable(chiclet.accountId)})`);

  if (before) {
    const oldPeople = new Map(before.people.map((person) => [person.id, person]));
    for (const person of after.people) {
      const previous = oldPeople.get(person.id);
      if (!previous) continue;
      if (previous.email !== person.email) lines.push(`~ user ${printable(person.id)}: Okta login ${printable(previous.email)} -> ${printable(person.email)}`);
      if (previous.oktaUserId !== person.oktaUserId) {
        lines.push(`~ user ${printable(person.id)}: Okta user ID ${printable(previous.oktaUserId ?? "(looked up by login)")} -> ${printable(person.oktaUserId ?? "(looked up by login)")}`);
      }
    }
    if (JSON.stringify(before.okta) !== JSON.stringify(after.okta)) lines.push("~ Okta provider settings (org, domain or rate limits)");
  }
  return lines;
}

/** New rejections and warnings, worth a line each. */
export function newWarnings(before: DesiredWorkspace | undefined, after: DesiredWorkspace): string[] {
  const old = new Set((before?.rejected ?? []).map((rejection) => `${rejection.accountId}\u0000${rejection.reason}`));
  const lines = after.rejected
    .filter((rejection) => !old.has(`${rejection.accountId}\u0000${rejection.reason}`))
    .map((rejection) => `! account ${printable(rejection.accountId)} rejected: ${printable(rejection.reason, 300)}`);
  const oldWarnings = new Set(before?.warnings ?? []);
  // Warnings are our own sentences; the input text in them is already printable.
  for (const warning of after.warnings) if (!oldWarnings.has(warning)) lines.push(`! ${warning}`);
  return lines;
}

/** Sorted-list difference: [added, removed]. */
function listDiff(before: readonly string[], after: readonly string[]): [string[], string[]] {
  const old = new Set(before);
  const now = new Set(after);
  return [after.filter((item) => !old.has(item)), before.filter((item) => !now.has(item))];
}
