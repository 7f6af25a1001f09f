// Removes users from a hand-kept YAML workspace file so that the change reads
// cleanly in a pull request: the user's entry, their grants and their team
// memberships go; every other byte stays as it was, comments included.
//
// The yaml Document API finds what to remove and where it sits in the text
// (node ranges); the edit itself is a splice of the original text. Printing
// the document back (doc.toString()) would re-indent, re-quote and re-wrap
// lines nobody touched. A block list item goes with its whole lines; comment
// lines between items stay. A flow list (`[a, b]`) is rewritten in place.
// A block list left empty becomes `key: []` (an empty `key:` would be null).
import { isMap, isScalar, isSeq, parseDocument, type Document, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { InternalError } from "../errors.ts";

export interface Removed {
  users: number;
  grants: number;
  memberships: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The new text of a YAML workspace file without these users, and what was removed. */
export function removeUsersFromYaml(text: string, userIds: ReadonlySet<string>, file = "<yaml>"): { text: string; removed: Removed } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new InternalError(`${file}: cannot edit a file that does not parse: ${doc.errors[0]!.message}`);
  const removed: Removed = { users: 0, grants: 0, memberships: 0 };
  const edits: Edit[] = [];
  const root = doc.contents;
  if (!isMap(root)) return { text, removed };

  const idIn = (item: unknown, key: string) => {
    if (!isMap(item)) return false;
    const value = item.get(key, true);
    return isScalar(value) && userIds.has(String(value.value));
  };

  const users = pairOf(root, "users");
  if (users && isSeq(users.value)) removed.users += removeItems(text, users, (item) => idIn(item, "id"), edits);

  const teams = root.get("teams", true);
  if (isSeq(teams)) {
    for (const team of teams.items) {
      const members = isMap(team) ? pairOf(team, "members") : undefined;
      if (members && isSeq(members.value)) {
        removed.memberships += removeItems(text, members, (item) => isScalar(item) && userIds.has(String(item.value)), edits);
      }
    }
  }

  const accounts = root.get("accounts", true);
  if (isSeq(accounts)) {
    for (const account of accounts.items) {
      const grants = isMap(account) ? pairOf(account, "grants") : undefined;
      if (grants && isSeq(grants.value)) removed.grants += removeItems(text, grants, (item) => idIn(item, "user"), edits);
    }
  }

  const result = applyEdits(text, edits);
  verify(doc, result, userIds, file);
  return { text: result, removed };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair | undefined;
}

/** Adds the edits removing matching items of the list held by `pair`; returns how many. */
function removeItems(text: string, pair: Pair, matches: (item: unknown) => boolean, edits: Edit[]): number {
  const seq = pair.value as YAMLSeq;
  const doomed = seq.items.filter(matches);
  if (doomed.length === 0) return 0;
  const kept = seq.items.filter((item) => !matches(item));

  if (seq.flow) {
    // `[a, b, c]` minus b: rebuilt from the kept items' own text, keeping the padding and separator style.
    const [start, end] = rangeOf(seq);
    const inner = text.slice(start + 1, end - 1);
    const padded = /^\s/.test(inner) && kept.length > 0 ? " " : "";
    const items = seq.items.map(rangeOf);
    const between = items.length > 1 ? text.slice(items[0]![1], items[1]![0]) : ", ";
    const separator = /^[ \t]*,[ \t]*$/.test(between) ? between : ", ";
    const body = kept.map((item) => text.slice(...rangeOf(item))).join(separator);
    edits.push({ start, end, text: `[${padded}${body}${padded}]` });
    return doomed.length;
  }

  for (const item of doomed) {
    const [itemStart, valueEnd] = rangeOf(item);
    edits.push({ start: blockItemLineStart(text, itemStart), end: lineEndAfter(text, valueEnd), text: "" });
  }
  if (kept.length === 0) {
    // `members:` followed by nothing would read as null: say `members: []`.
    const colon = text.indexOf(":", rangeOf(pair.key)[1]);
    edits.push({ start: colon + 1, end: colon + 1, text: " []" });
  }
  return doomed.length;
}

function rangeOf(node: unknown): [number, number] {
  const range = (node as { range?: [number, number, number] }).range;
  if (!range) throw new InternalError("a YAML node without a source range");
  return [range[0], range[1]];
}

/** Start of the line holding the `-` that introduces a block list item. */
function blockItemLineStart(text: string, itemStart: number): number {
  let p = itemStart - 1;
  while (p >= 0 && /[ \t\r\n]/.test(text[p]!)) p--;
  if (text[p] !== "-") throw new InternalError(`unexpected YAML layout before offset ${itemStart}: no '-' for a list item`);
  const lineStart = text.lastIndexOf("\n", p - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(lineStart, p))) {
    throw new InternalError(`unexpected YAML layout at offset ${lineStart}: a list item shares its line with other content`);
  }
  return lineStart;
}

/** Just past the end of the line holding `offset - 1` (a value's last character, trailing comment included). */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit) throw new InternalError("overlapping YAML edits");
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    limit = edit.start;
  }
  return result;
}

/** The spliced text must mean exactly the old data minus the removals: a broken file must never reach a pull request. */
function verify(before: Document, after: string, userIds: ReadonlySet<string>, file: string): void {
  const expected = before.toJS() as Record<string, unknown>;
  type Item = Record<string, unknown>;
  if (Array.isArray(expected.users)) expected.users = (expected.users as Item[]).filter((user) => !userIds.has(String(user?.id)));
  for (const team of (Array.isArray(expected.teams) ? expected.teams : []) as Item[]) {
    if (Array.isArray(team?.members)) team.members = (team.members as unknown[]).filter((id) => !userIds.has(String(id)));
  }
  for (const account of (Array.isArray(expected.accounts) ? expected.accounts : []) as Item[]) {
    if (Array.isArray(account?.grants)) account.grants = (account.grants as Item[]).filter((grant) => !userIds.has(String(grant?.user)));
  }
  const doc = parseDocument(after);
  if (doc.errors.length > 0 || !isDeepStrictEqual(doc.toJS(), expected)) {
    throw new InternalError(`${file}: removing users would not give the expected YAML; the file was left unchanged`);
  }
}
