// An API hiccup must never empty Okta. A new snapshot is compared with the
// one it replaces on two counts, each against --max-account-loss: accounts
// (by ID) and people's access to accounts (user-account pairs, through a
// direct grant or a team). A snapshot that keeps every account but drops
// most grants takes chiclets away from people just as surely as one that
// drops the accounts. Where the API gives the workspace's own count of
// accounts, a listing short of it is refused outright, the first snapshot
// included: the key's creator does not own them all.
import { ExternalError } from "../errors.ts";
import type { WorkspaceFile } from "../workspace/schema.ts";
import type { WorkspaceCounts } from "./mapping.ts";
import { HIDDEN_OKTA_STATUSES } from "../domain/model.ts";
import { compareText } from "../text/printable.ts";

export interface LossGuardOptions {
  /** Largest tolerated share lost, 0..1. */
  readonly maxAccountLoss: number;
  readonly force: boolean;
  /** The snapshot file, for messages. */
  readonly out: string;
}

/**
 * Throws when `next` lists fewer accounts than the workspace's own count
 * (`counts`, when the API gives it), or loses more than the allowed share of
 * `previous`'s accounts or access; `force` skips it.
 */
export function checkSnapshotLoss(previous: WorkspaceFile | undefined, next: WorkspaceFile, options: LossGuardOptions, counts: WorkspaceCounts = {}): void {
  if (options.force) return;
  const listed = next.accounts?.length ?? 0;
  if (counts.accounts !== undefined && counts.accounts > listed) {
    throw new ExternalError(
      `the Cerby API listed ${listed} of the workspace's ${counts.accounts} accounts (its own count, GET /workspace); ` +
        `nothing was written to ${options.out}. ${LIKELY_CAUSE} If the workspace changed while it was read, run again; ` +
        `to write the snapshot without the ${counts.accounts - listed} missing, pass --allow-shrink`,
    );
  }
  if (previous === undefined) return;
  const nextAccounts = new Set((next.accounts ?? []).map((account) => account.id));
  // When the workspace's own count agrees with what was listed, the key saw everything: the accounts are gone from Cerby.
  const accountCause =
    counts.accounts === listed
      ? `The workspace's own count (GET /workspace) is ${listed} too, so the key saw every account: they seem to be gone from Cerby.`
      : LIKELY_CAUSE;
  checkShare(
    (previous.accounts ?? []).map((account) => account.id),
    (id) => nextAccounts.has(id),
    options,
    (lost, total, share) => `lost ${lost} of the ${total} accounts in ${options.out} (${share})`,
    (id) => id,
    accountCause,
  );
  const nextAccess = accessPairs(next);
  checkShare(
    [...accessPairs(previous)].sort(compareText),
    (pair) => nextAccess.has(pair),
    options,
    (lost, total, share) =>
      `takes away ${lost} of the ${total} accesses of people to accounts in ${options.out} ` +
      `(user-account pairs through a grant or a team: ${share})`,
    (pair) => {
      const [account, user] = pair.split(PAIR_SEPARATOR);
      return `${user} on ${account}`;
    },
    LIKELY_CAUSE,
  );
}

function checkShare(
  before: readonly string[],
  kept: (key: string) => boolean,
  options: LossGuardOptions,
  what: (lost: number, total: number, share: string) => string,
  name: (key: string) => string,
  cause: string,
): void {
  if (before.length === 0) return;
  const lost = before.filter((key) => !kept(key));
  const share = lost.length / before.length;
  if (share <= options.maxAccountLoss) return;
  throw new ExternalError(
    `the new snapshot ${what(lost.length, before.length, `${percent(share)}, more than --max-account-loss ${percent(options.maxAccountLoss)}`)}, ` +
      `e.g. ${lost.slice(0, 5).map(name).join(", ")}; nothing was written. ${cause} If that really is gone, pass --allow-shrink`,
  );
}

/**
 * Cerby's API answers with the items the key's creator owns, even in
 * all-access mode (Cerby's developer documentation): the commonest cause of
 * a snapshot that shrank, and one R10 would turn into apps removed from Okta.
 */
const LIKELY_CAUSE =
  "The likeliest cause: CERBY_API_KEY belongs to someone who does not own all of the workspace's items " +
  "(a Cerby API key returns only what its creator owns, even in all-access mode); use the key of a workspace owner who owns them.";

/**
 * What the new snapshot saw, beside the snapshot it replaces and the
 * workspace's own counts (when the API gives them): `coverage: 4 accounts
 * (the workspace has 6: 2 not listed; previous snapshot 6, 2 missing), ...`,
 * then, when accounts or users are missing, a line naming the likeliest cause.
 */
export function coverageLines(previous: WorkspaceFile | undefined, next: WorkspaceFile, counts: WorkspaceCounts | undefined): string[] {
  const lists = ["accounts", "users", "teams"] as const;
  const short: string[] = [];
  const part = (list: (typeof lists)[number]) => {
    const seen = next[list]?.length ?? 0;
    const notes: string[] = [];
    const total = counts?.[list];
    if (total !== undefined) {
      notes.push(`the workspace has ${total}${total > seen ? `: ${total - seen} not listed` : ""}`);
      if (total > seen && list !== "teams") short.push(`${total - seen} ${list}`);
    }
    if (previous !== undefined) {
      const ids = new Set((next[list] ?? []).map((item) => item.id));
      const missing = (previous[list] ?? []).filter((item) => !ids.has(item.id)).length;
      notes.push(`previous snapshot ${previous[list]?.length ?? 0}${missing > 0 ? `, ${missing} missing` : ""}`);
      if (missing > 0 && list === "accounts" && total === undefined) short.push(`${missing} accounts of the previous snapshot`);
    }
    return `${seen} ${list}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
  };
  const lines = [`coverage: ${lists.map(part).join(", ")}${counts === undefined ? "; the API gives no workspace counts to compare with (GET /workspace answered none)" : ""}`];
  if (short.length > 0) lines.push(`coverage: missing ${short.join(" and ")}. ${LIKELY_CAUSE}`);
  return lines;
}

const PAIR_SEPARATOR = "\0";

/**
 * `<account>\0<user>` (sorting by account) for every person holding any role on
 * an account, directly or through a team. A person whose oktaStatus is
 * SUSPENDED or DEPROVISIONED sees no chiclet, so has no access to lose: the
 * snapshot after `deprovision --apply` removed them is not a loss.
 */
export function accessPairs(file: WorkspaceFile): Set<string> {
  const hidden = new Set((file.users ?? []).filter((user) => HIDDEN_OKTA_STATUSES.has(user.oktaStatus ?? "ACTIVE")).map((user) => user.id));
  const members = new Map((file.teams ?? []).map((team) => [team.id, (team.members ?? []).filter((user) => !hidden.has(user))]));
  const pairs = new Set<string>();
  for (const account of file.accounts ?? []) {
    for (const grant of account.grants ?? []) {
      const users = grant.user !== undefined ? (hidden.has(grant.user) ? [] : [grant.user]) : (members.get(grant.team ?? "") ?? []);
      for (const user of users) pairs.add(`${account.id}${PAIR_SEPARATOR}${user}`);
    }
  }
  return pairs;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
