// R3 and R4: chiclet labels, kept within Okta's label limit, and their
// numbering when they collide.
import { compareText } from "../text/printable.ts";
import type { Account } from "./model.ts";

/**
 * Okta refuses an app label longer than 100 characters (400, E0000001). The
 * okta/okta provider checks nothing (`label` has no validator at v4.20.0);
 * Okta's Apps API reference raised the documented maximum from 50 to 100 in
 * 2017 (OKTA-146865). Counted here in UTF-16 code units, as Okta's Java
 * `String.length()` counts: never fewer than the characters, so a label
 * within this bound is within it however Okta counts.
 */
export const MAX_LABEL_LENGTH = 100;

/** Marks a label shortened to fit Okta's limit. */
const ELLIPSIS = "\u2026";
const SEPARATOR = " - ";

/** R3: `<account name> - <app name>`, exactly as typed: hostile text stays literal. */
export function baseLabel(account: Pick<Account, "name" | "app">): string {
  return `${account.name}${SEPARATOR}${account.app}`;
}

/**
 * R3 within `budget` UTF-16 units: the label as typed when it fits; else the
 * longer of account and app names is cut (each keeps at least half the room
 * it needs), each cut marked with `…`, never inside a surrogate pair. The
 * same names and budget give the same label.
 */
export function fittedBaseLabel(account: Pick<Account, "name" | "app">, budget: number = MAX_LABEL_LENGTH): string {
  const full = baseLabel(account);
  if (full.length <= budget) return full;
  const room = budget - SEPARATOR.length;
  const half = Math.floor(room / 2);
  let nameRoom: number;
  if (account.app.length <= half) nameRoom = room - account.app.length;
  else if (account.name.length <= room - half) nameRoom = account.name.length;
  else nameRoom = room - half;
  const name = cut(account.name, nameRoom);
  return `${name}${SEPARATOR}${cut(account.app, room - name.length)}`;
}

/** `text` within `max` UTF-16 units: cut with `…` at a code point boundary, trailing white space dropped before the mark. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  // Never split a surrogate pair: that would send Okta half a character.
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/** Labels collide when equal after trimming, collapsing white space and ignoring case. */
export function labelKey(label: string): string {
  // Normalizing is costly and changes nothing in plain ASCII, the usual case.
  const text = /[^\x00-\x7f]/.test(label) ? label.normalize("NFC") : label;
  return text.trim().replace(/\s+/gu, " ").toLowerCase();
}

export interface LabelRequest {
  /** Unique key of the request, e.g. `<workspace id>/<account id>`. */
  readonly key: string;
  /** The account's name and its app's name, as typed. */
  readonly names: Pick<Account, "name" | "app">;
  /** When the account was extended, as epoch milliseconds: earlier keeps the bare label. */
  readonly extendedAtMs: number;
  /** Tie-breaker when two accounts were extended at the same instant. */
  readonly accountId: string;
}

/** The label numbered `number` (1: bare), within Okta's limit with its ` (N)` suffix whole. */
function numberedLabel(names: Pick<Account, "name" | "app">, number: number): string {
  if (number === 1) return fittedBaseLabel(names);
  const suffix = ` (${number})`;
  return `${fittedBaseLabel(names, MAX_LABEL_LENGTH - suffix.length)}${suffix}`;
}

/**
 * Numbers colliding labels ` (2)`, ` (3)`, ... in order of extension, so that
 * a newly extended account never renames an existing chiclet and the result
 * does not depend on input order. Labels collide as Okta will hold them:
 * after shortening to Okta's limit, so two long names cut to the same label
 * are numbered too. A numbered label that would collide with another
 * account's own label takes the next free number.
 */
export function assignLabels(requests: readonly LabelRequest[]): Map<string, string> {
  const ordered = [...requests].sort(
    (a, b) => a.extendedAtMs - b.extendedAtMs || compareText(a.accountId, b.accountId) || compareText(a.key, b.key),
  );
  const taken = new Set<string>();
  const nextNumber = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const request of ordered) {
    const base = labelKey(numberedLabel(request.names, 1));
    let number = nextNumber.get(base) ?? 1;
    let label: string;
    let key: string;
    for (;;) {
      label = numberedLabel(request.names, number);
      key = labelKey(label);
      if (!taken.has(key)) break;
      number++;
    }
    nextNumber.set(base, number + 1);
    taken.add(key);
    labels.set(request.key, label);
  }
  return labels;
}
