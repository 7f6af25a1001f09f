// An API hiccup must never empty Okta. A new snapshot is compared with the
// one it replaces on two counts, each against --max-account-loss: accounts
// (by ID) and people's access to accounts (user-account pairs, through a
// direct grant or a team). A snapshot that keeps every account but drops
// most grants takes chiclets away from people just as surely as one that
// drops the accounts.
import { ExternalError } from "../errors.ts";
import type { WorkspaceFile } from "../workspace/schema.ts";
import { compareText } from "../text/printable.ts";

export interface LossGuardOptions {
  /** Largest tolerated share lost, 0..1. */
  readonly maxAccountLoss: number;
  readonly force: boolean;
  /** The snapshot file, for messages. */
  readonly out: string;
}

/** Throws when `next` loses more than the allowed share of `previous`'s accounts or access; `force` skips it. */
export function checkSnapshotLoss(previous: WorkspaceFile | undefined, next: WorkspaceFile, options: LossGuardOptions): void {
  if (previous === undefined || options.force) return;
  const nextAccounts = new Set((next.accounts ?? []).map((account) => account.id));
  checkShare(
    (previous.accounts ?? []).map((account) => account.id),
    (id) => nextAccounts.has(id),
    options,
    (lost, total, share) => `lost ${lost} of the ${total} accounts in ${options.out} (${share})`,
    (id) => id,
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
  );
}

function checkShare(
  before: readonly string[],
  kept: (key: string) => boolean,
  options: LossGuardOptions,
  what: (lost: number, total: number, share: string) => string,
  name: (key: string) => string,
): void {
  if (before.length === 0) return;
  const lost = before.filter((key) => !kept(key));
  const share = lost.length / before.length;
  if (share <= options.maxAccountLoss) return;
  throw new ExternalError(
    `the new snapshot ${what(lost.length, before.length, `${percent(share)}, more than --max-account-loss ${percent(options.maxAccountLoss)}`)}, ` +
      `e.g. ${lost.slice(0, 5).map(name).join(", ")}; nothing was written. ${LIKELY_CAUSE} If that really is gone, pass --allow-shrink`,
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

/** What the new snapshot saw, beside the snapshot it replaces: `coverage: 120 accounts (previous 130, 10 missing), ...`. */
export function coverageLine(previous: WorkspaceFile | undefined, next: WorkspaceFile): string {
  const count = (file: WorkspaceFile | undefined, list: "accounts" | "users" | "teams") => file?.[list]?.length ?? 0;
  const part = (list: "accounts" | "users" | "teams") => {
    const seen = count(next, list);
    if (previous === undefined) return `${seen} ${list}`;
    const ids = new Set((next[list] ?? []).map((item) => item.id));
    const missing = (previous[list] ?? []).filter((item) => !ids.has(item.id)).length;
    return `${seen} ${list} (previous snapshot ${count(previous, list)}${missing > 0 ? `, ${missing} missing` : ""})`;
  };
  return `coverage: ${part("accounts")}, ${part("users")}, ${part("teams")}`;
}

const PAIR_SEPARATOR = "\0";

/** `<account>\0<user>` (sorting by account) for every person holding any role on an account, directly or through a team. */
export function accessPairs(file: WorkspaceFile): Set<string> {
  const members = new Map((file.teams ?? []).map((team) => [team.id, team.members ?? []]));
  const pairs = new Set<string>();
  for (const account of file.accounts ?? []) {
    for (const grant of account.grants ?? []) {
      const users = grant.user !== undefined ? [grant.user] : (members.get(grant.team ?? "") ?? []);
      for (const user of users) pairs.add(`${account.id}${PAIR_SEPARATOR}${user}`);
    }
  }
  return pairs;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
