// What deciding a stack (plan's skip, `shards --changed`) reads of its local
// state file and its data file, remembered in one small file beside the sync
// status, so that a plan at 128 shards does not read and parse 40 MB of
// states and encode 4 MB of data again to find that nothing changed.
//
// An entry is used only for the very same file: a state file by its identity
// (device, inode, size, and its modification and change times in
// nanoseconds: any write, copy over or rename changes the change time), a data
// file by the SHA-256 of its bytes. A state changed in the last seconds, or
// while it was read, is not remembered. It is a cache of reads, not a record:
// the state stays the one source of what was applied, a remote state is always
// pulled, and a lost or broken memo costs one slower plan.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { sha256Hex } from "../files/sha256.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";

/** What `stateMatchesFiles` needs of a state (state-status.ts summarizeState). */
export interface StateSummary {
  /** The two halves of the last apply's record: its config and data digests. */
  readonly started?: { readonly config?: unknown; readonly data?: unknown };
  readonly done?: { readonly config?: unknown; readonly data?: unknown };
  /** Resource path -> keysDigest of its instances' keys. */
  readonly keys: Readonly<Record<string, string>>;
  /** The people looked up by login whom Okta found. */
  readonly found: readonly string[];
}

/** A state read and summarized, or why it could not be. */
export type SummaryRead = { readonly readable: true; readonly summary: StateSummary } | { readonly readable: false; readonly reason: string };

interface MemoFile {
  readonly version: 1;
  /** State file path -> its identity when summarized, and the summary. */
  readonly states: Record<string, { readonly identity: string; readonly summary: StateSummary }>;
  /** SHA-256 of a data file's bytes -> dataDigest of it. */
  readonly dataDigests: Record<string, string>;
}

const MEMO_FILE = "decision-memo.json";
/** Entries kept of each kind: many times the stacks of a large org, the least recently used dropped first. */
const ENTRIES_KEPT = 4096;
const MEMO_MAX_BYTES = 32 * 1024 * 1024;

/** The digest of a list of instance keys, in any order: equal for the same keys. */
export function keysDigest(keys: readonly string[]): string {
  return sha256Hex(JSON.stringify([...keys].sort()));
}

/**
 * A file's identity: equal only while no one wrote, replaced or renamed it; undefined when it cannot be read.
 * `settled`: its last change is older than any file system's timestamp resolution, so that a write within the same
 * tick as the one read would not show in the times (git's "racily clean" entries): only a settled file is remembered.
 */
async function identityOf(file: string, now: number): Promise<{ identity: string; settled: boolean } | undefined> {
  try {
    const found = await stat(file, { bigint: true });
    const changedMsAgo = now - Number(found.ctimeNs / 1_000_000n);
    return { identity: `${found.dev}:${found.ino}:${found.size}:${found.mtimeNs}:${found.ctimeNs}`, settled: changedMsAgo > SETTLED_AFTER_MS };
  } catch {
    return undefined;
  }
}

/** Coarser than any file system's timestamps (FAT's 2 s), and than the clock steps between a network file system and us. */
const SETTLED_AFTER_MS = 3_000;

export class DecisionMemo {
  private readonly states = new Map<string, { identity: string; summary: StateSummary }>();
  private readonly dataDigests = new Map<string, string>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A memo that remembers nothing across runs (tests, callers without a project folder). */
  static none(): DecisionMemo {
    return new DecisionMemo(undefined);
  }

  /** The project's memo; a missing or unreadable one is an empty memo. `now`: the clock that tells a settled file. */
  static async load(stateDir: string, now: () => number = Date.now): Promise<DecisionMemo> {
    const memo = new DecisionMemo(path.join(stateDir, MEMO_FILE), now);
    try {
      // Far beyond what ENTRIES_KEPT entries take: anything larger is not ours, and is not read.
      if ((await stat(memo.file!)).size > MEMO_MAX_BYTES) return memo;
      const saved = JSON.parse(await readFile(memo.file!, "utf8")) as Partial<MemoFile>;
      if (saved.version !== 1) return memo;
      for (const [file, entry] of Object.entries(saved.states ?? {})) {
        if (typeof entry?.identity === "string" && isSummary(entry.summary)) memo.states.set(file, entry);
      }
      for (const [digest, dataDigest] of Object.entries(saved.dataDigests ?? {})) if (typeof dataDigest === "string") memo.dataDigests.set(digest, dataDigest);
    } catch {
      // No memo yet, or one cut short: every stack is read in full this time.
    }
    return memo;
  }

  /** The summary of a local state file: remembered while the file is the same one, else `read` (and remembered if readable). */
  async stateSummary(file: string, read: () => Promise<SummaryRead>): Promise<SummaryRead> {
    const before = await identityOf(file, this.now());
    const known = this.states.get(file);
    if (before?.settled && known?.identity === before.identity) {
      this.states.delete(file); // used now: kept among the newest
      this.states.set(file, known);
      return { readable: true, summary: known.summary };
    }
    const found = await read();
    // Remembered only if nothing wrote the file while it was read: else its identity now may not be of what was read.
    if (found.readable && before?.settled && (await identityOf(file, this.now()))?.identity === before.identity) {
      this.states.delete(file);
      this.states.set(file, { identity: before.identity, summary: found.summary });
      this.changed = true;
    }
    return found;
  }

  /** dataDigest of a data file, by the SHA-256 of its bytes. */
  dataDigest(bytes: Buffer, compute: () => string): string {
    const key = sha256Hex(bytes);
    let digest = this.dataDigests.get(key);
    if (digest === undefined) {
      digest = compute();
      this.changed = true;
    }
    // Used now: kept among the newest.
    this.dataDigests.delete(key);
    this.dataDigests.set(key, digest);
    return digest;
  }

  /** Writes what this run learned (whole, or not at all); a failed write costs only speed. */
  async save(): Promise<void> {
    if (!this.file || !this.changed) return;
    const memo: MemoFile = { version: 1, states: Object.fromEntries([...this.states].slice(-ENTRIES_KEPT)), dataDigests: Object.fromEntries([...this.dataDigests].slice(-ENTRIES_KEPT)) };
    await writeFileAtomic(this.file, `${JSON.stringify(memo)}\n`).catch(() => undefined);
    this.changed = false;
  }
}

function isSummary(value: unknown): value is StateSummary {
  const summary = value as Partial<StateSummary> | null;
  return typeof summary === "object" && summary !== null && typeof summary.keys === "object" && summary.keys !== null && Array.isArray(summary.found);
}
