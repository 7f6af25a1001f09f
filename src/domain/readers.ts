// What a person reading a plan needs beyond Terraform's plan: who a Cerby
// user ID is (their login), which team an IdP group is, which accounts were
// refused (R2), and why a chiclet was renumbered (R4). Pure: no I/O, no cdktf.
import type { Naming } from "./changes.ts";
import type { Rejection } from "./desired-state.ts";
import { compareText, printable } from "../text/printable.ts";

/** Names of the people and IdP groups a stack's plan mentions. Objects without a prototype: an ID such as `__proto__` is a key like any other. */
export interface ReaderNames {
  /** Cerby user ID -> login (email). */
  readonly people: Readonly<Record<string, string>>;
  /** Okta group ID of an IdP-managed team -> the team's name. */
  readonly teams: Readonly<Record<string, string>>;
}

/** What a stack's plan report carries for its readers, from the desired state. */
export interface StackReaders extends ReaderNames {
  /** The Okta org the stack syncs to (oktaOrgKey): labels are numbered per org (R4). */
  readonly org: string;
  /** Accounts of the stack's workspace whose `okta:` block was refused (R2), sorted by account ID. */
  readonly refused: readonly Rejection[];
}

const has = (record: Readonly<Record<string, string>>, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** `dave@example.com (u-dave)`, or the bare ID when the login is not known. Raw text: escape it where it is shown. */
export function personName(names: ReaderNames | undefined, cerbyUserId: string): string {
  return names && has(names.people, cerbyUserId) ? `${names.people[cerbyUserId]} (${cerbyUserId})` : cerbyUserId;
}

/** `Social Media (00g1xyz)`, or `group 00g1xyz` when the team is not known. Raw text. */
export function groupName(names: ReaderNames | undefined, oktaGroupId: string): string {
  return names && has(names.teams, oktaGroupId) ? `${names.teams[oktaGroupId]} (${oktaGroupId})` : `group ${oktaGroupId}`;
}

/** Names for terminal lines (or as `show` makes them): the login and team name, each shown on its own so that a long one cannot hide the ID. */
export function namingOf(names: ReaderNames | undefined, show: (text: string) => string = printable): Naming {
  return {
    person: (id) => (names && has(names.people, id) ? `${show(names.people[id]!)} (${show(id)})` : show(id)),
    group: (id) => (names && has(names.teams, id) ? `${show(names.teams[id]!)} (${show(id)})` : `group ${show(id)}`),
  };
}

/** Only the names of the given IDs: a report carries the people it mentions, not the whole workspace. */
export function namesFor(names: ReaderNames | undefined, people: Iterable<string>, teams: Iterable<string>): ReaderNames {
  const pick = (from: Readonly<Record<string, string>> | undefined, ids: Iterable<string>) => {
    const picked: Record<string, string> = Object.create(null);
    for (const id of [...new Set(ids)].sort(compareText)) if (from && has(from, id)) picked[id] = from[id]!;
    return picked;
  };
  return { people: pick(names?.people, people), teams: pick(names?.teams, teams) };
}

/** A chiclet's label change, as one stack's plan shows it. */
export interface LabelChange {
  readonly stack: string;
  readonly org: string;
  readonly accountId: string;
  /** Absent for a new chiclet. */
  readonly before?: string;
  /** Absent for a removed chiclet. */
  readonly after?: string;
}

/** Another account's change that took or freed a place among a label's numbers. */
export interface RenumberingCause {
  readonly stack: string;
  readonly accountId: string;
  readonly change: "removed" | "extended" | "renamed";
  readonly before?: string;
  readonly after?: string;
}

/** A chiclet relabelled only by R4's numbering, and the changes of other accounts that caused it. */
export interface Renumbering {
  readonly stack: string;
  readonly accountId: string;
  readonly before: string;
  readonly after: string;
  /** Empty when the cause is not in this plan. */
  readonly causes: readonly RenumberingCause[];
}

/** `X (3)` -> `X`; a label without a number is its own base. */
function baseOf(label: string): string {
  return label.replace(/ \([0-9]+\)$/, "");
}

/**
 * The relabels that only change R4's number (`X (3)` -> `X (2)`), each with
 * the accounts of the same org whose own change took or freed a place among
 * the labels `X`, `X (2)`, ...: removed, renamed away, renamed into, newly
 * extended.
 */
export function explainRenumbering(changes: readonly LabelChange[]): Renumbering[] {
  const renumbered = changes.filter((change) => change.before !== undefined && change.after !== undefined && change.before !== change.after && baseOf(change.before) === baseOf(change.after));
  return renumbered
    .map((change) => {
      const base = baseOf(change.after!);
      const causes = changes
        .filter((other) => other.org === change.org && !(other.stack === change.stack && other.accountId === change.accountId))
        .filter((other) => (other.before !== undefined && baseOf(other.before) === base) !== (other.after !== undefined && baseOf(other.after) === base))
        .map((other): RenumberingCause => ({
          stack: other.stack,
          accountId: other.accountId,
          change: other.after === undefined ? "removed" : other.before === undefined ? "extended" : "renamed",
          ...(other.before !== undefined ? { before: other.before } : {}),
          ...(other.after !== undefined ? { after: other.after } : {}),
        }))
        .sort((a, b) => compareText(a.stack, b.stack) || compareText(a.accountId, b.accountId));
      return { stack: change.stack, accountId: change.accountId, before: change.before!, after: change.after!, causes };
    })
    .sort((a, b) => compareText(a.stack, b.stack) || compareText(a.accountId, b.accountId));
}

/** How a sentence shows input text: a label in quotes, an ID; each escaped for where it is shown. */
export interface SentenceText {
  label(label: string): string;
  id(id: string): string;
}

const PRINTABLE: SentenceText = { label: (label) => `"${printable(label, 70)}"`, id: (id) => printable(id) };

/** `"X (3)" -> "X (2)" only renumbers (R4) because account a-2 (stack ws-b) was removed ("X (2)")`. */
export function renumberingSentence(renumbering: Renumbering, text: SentenceText = PRINTABLE): string {
  const what = `${text.label(renumbering.before)} -> ${text.label(renumbering.after)} only renumbers (R4)`;
  if (renumbering.causes.length === 0) return `${what}; the account whose change freed or took its number is not in this plan`;
  const causes = renumbering.causes.map((cause) => {
    const who = `account ${text.id(cause.accountId)} (stack ${text.id(cause.stack)})`;
    if (cause.change === "removed") return `${who} was removed (${text.label(cause.before ?? "")})`;
    if (cause.change === "extended") return `${who} was extended (${text.label(cause.after ?? "")})`;
    return `${who} was renamed from ${text.label(cause.before ?? "")} to ${text.label(cause.after ?? "")}`;
  });
  return `${what} because ${causes.join("; ")}`;
}
