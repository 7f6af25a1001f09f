/**
 * Okta's reads lag behind its writes: a group's member list, an app's group
 * assignments and the users search index are eventually consistent (the
 * provider itself waits for a new member to be listed). Off by default; a
 * test sets how far behind reads are, and every write made meanwhile is seen
 * by those reads only once it settles: after `ms` milliseconds or `reads`
 * reads of its list, whichever comes first. Until then a read shows the
 * entry as it was before the first unsettled write (absent, or its old value).
 */

export interface Lag {
  /** A write becomes visible this many milliseconds after it was made. */
  readonly ms?: number;
  /** A write stays hidden from this many reads of its list. */
  readonly reads?: number;
}

interface Pending {
  /** What reads show until the write settles: whether the entry was there, and as what. */
  readonly shownPresent: boolean;
  readonly shown: unknown;
  readonly at: number;
  readsLeft: number;
}

export class LaggingReads {
  private lag: Lag | undefined;
  /** Collection (e.g. `members:<group id>`) -> entry key -> its unsettled write. */
  private readonly pending = new Map<string, Map<string, Pending>>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Sets the lag; undefined (or neither field) turns it off and makes every write visible at once. */
  set(lag: Lag | undefined): void {
    this.lag = lag && (lag.ms !== undefined || lag.reads !== undefined) ? lag : undefined;
    if (!this.lag) this.pending.clear();
  }

  /** Every unsettled write becomes visible now (the lag itself stays). */
  settleAll(): void {
    this.pending.clear();
  }

  /** Call before writing `key` of `collection`; `before` is the entry as it was (`present: false` when absent). */
  written(collection: string, key: string, before: { present: boolean; value?: unknown }): void {
    if (!this.lag) return;
    let entries = this.pending.get(collection);
    if (!entries) this.pending.set(collection, (entries = new Map()));
    const earlier = entries.get(key);
    entries.set(key, {
      shownPresent: earlier ? earlier.shownPresent : before.present,
      shown: earlier ? earlier.shown : before.value,
      at: this.clock(),
      readsLeft: this.lag.reads ?? Number.POSITIVE_INFINITY,
    });
  }

  /**
   * One read of `collection` whose entries are now `current` (key, value):
   * what a lagging read returns, in list order, entries whose removal has
   * not settled at the end. Counts the read against every unsettled write.
   */
  read<T>(collection: string, current: Iterable<readonly [string, T]>): T[] {
    const entries = this.pending.get(collection);
    if (!entries) return [...current].map(([, value]) => value);
    const now = this.clock();
    for (const [key, pending] of entries) {
      if (pending.readsLeft <= 0 || now - pending.at >= (this.lag?.ms ?? Number.POSITIVE_INFINITY)) entries.delete(key);
    }
    const seen = new Set<string>();
    const result: T[] = [];
    for (const [key, value] of current) {
      seen.add(key);
      const pending = entries.get(key);
      if (!pending) result.push(value);
      else if (pending.shownPresent) result.push(pending.shown as T);
    }
    for (const [key, pending] of entries) if (!seen.has(key) && pending.shownPresent) result.push(pending.shown as T);
    for (const pending of entries.values()) pending.readsLeft--;
    if (entries.size === 0) this.pending.delete(collection);
    return result;
  }
}
