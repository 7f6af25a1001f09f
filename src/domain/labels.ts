// R3 and R4: chiclet labels and their numbering when they collide.
import { compareText } from "../text/printable.ts";
import type { Account } from "./model.ts";

/** R3: `<account name> - <app name>`, exactly as typed: hostile text stays literal. */
export function baseLabel(account: Pick<Account, "name" | "app">): string {
  return `${account.name} - ${account.app}`;
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
  readonly baseLabel: string;
  /** When the account was extended, as epoch milliseconds: earlier keeps the bare label. */
  readonly extendedAtMs: number;
  /** Tie-breaker when two accounts were extended at the same instant. */
  readonly accountId: string;
}

/**
 * Numbers colliding labels ` (2)`, ` (3)`, ... in order of extension, so that
 * a newly extended account never renames an existing chiclet and the result
 * does not depend on input order. A numbered label that would collide with
 * another account's own label takes the next free number.
 */
export function assignLabels(requests: readonly LabelRequest[]): Map<string, string> {
  const ordered = [...requests].sort(
    (a, b) => a.extendedAtMs - b.extendedAtMs || compareText(a.accountId, b.accountId) || compareText(a.key, b.key),
  );
  const taken = new Set<string>();
  const nextNumber = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const request of ordered) {
    const base = labelKey(request.baseLabel);
    let number = nextNumber.get(base) ?? 1;
    let label = request.baseLabel;
    let key = base;
    for (;;) {
      label = number === 1 ? request.baseLabel : `${request.baseLabel} (${number})`;
      key = number === 1 ? base : labelKey(label);
      if (!taken.has(key)) break;
      number++;
    }
    nextNumber.set(base, number + 1);
    taken.add(key);
    labels.set(request.key, label);
  }
  return labels;
}
