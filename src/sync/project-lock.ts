// The project lock: one command at a time changes a project's stacks, saved
// plans, status records and Terraform states. Without it, a `plan` run while
// an `apply` runs rewrites the plan set under it (apply then applied the other
// plan's file, past the destroy guard), and a manual `plan` swaps the stack
// folders under `watch --apply`'s Terraform.
//
// The lock is a file in the state folder (`.cerby-okta/lock`) naming its
// holder. It is created whole and atomically (written aside, then hard-linked
// into place: `link` fails if the name exists), so a reader never sees half a
// holder. A holder whose process is gone (killed) is stale: the next command
// says so and takes the lock over.
import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, mkdir, readFile, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { ExternalError } from "../errors.ts";
import { ensureFolder } from "../files/ensure-folder.ts";

export const LOCK_FILE = "lock";

/** Who holds the lock: what the lock file says. */
export interface LockHolder {
  /** The command, e.g. `apply` or `watch`. */
  readonly command: string;
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** The process's start time in clock ticks since boot (Linux), so that a PID reused by another process is not taken for the holder. */
  readonly processStart?: string;
  /** Tells this acquisition from any other of the same process. */
  readonly token: string;
}

export interface LockOptions {
  /** The command taking the lock, as shown to others: `plan`, `apply`, `watch`. */
  readonly command: string;
  /** How long to wait for a holder to finish, in seconds; undefined: refuse at once; Infinity: as long as it takes. */
  readonly waitSeconds?: number;
  /** Progress and notices (waiting, taking over a stale lock). */
  readonly log: (message: string) => void;
  /** Stops waiting. */
  readonly signal?: AbortSignal;
  /** How often to look again while waiting. Default 500 ms. */
  readonly pollMs?: number;
}

export interface ProjectLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still this holder's. */
  release(): Promise<void>;
}

/** Another command holds the lock (and --wait was not given, or ran out). */
export class ProjectLockedError extends ExternalError {
  override name = "ProjectLockedError";
}

export const lockFile = (stateDir: string) => path.join(stateDir, LOCK_FILE);

/** An unreadable lock file younger than this may be one being written (no hard links): looked at again, not taken over. */
const UNREADABLE_GRACE_MS = 5_000;
/** A takeover guard older than this was left by a process killed while taking over. */
const TAKEOVER_GUARD_STALE_MS = 30_000;

export async function acquireProjectLock(stateDir: string, options: LockOptions): Promise<ProjectLock> {
  await ensureFolder(stateDir);
  const file = lockFile(stateDir);
  const me: LockHolder = {
    command: options.command,
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...processStartOf(process.pid),
    token: randomBytes(8).toString("hex"),
  };
  const deadline = options.waitSeconds === undefined ? 0 : Date.now() + options.waitSeconds * 1000;
  let waitingFor: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await createLockFile(file, me)) return heldLock(file, me);
    const current = await readHolder(file);
    if (current === "gone") continue;
    if (current === "unreadable" && (await ageOf(file)) < UNREADABLE_GRACE_MS) {
      if (Date.now() >= deadline) throw new ProjectLockedError(`another command is taking the project lock ${file} right now; run again, or pass --wait. Nothing was changed.`);
      await pause(100, options.signal);
      continue;
    }
    const stale = current === "unreadable" ? `its lock file cannot be read` : staleReason(current);
    if (stale !== undefined) {
      const taken = await takeOver(file, current, me);
      if (taken) {
        options.log(`taking over the project lock ${file}: ${current === "unreadable" ? "" : `${describeHolder(current)} held it, but `}${stale}. If it was stopped in the middle of a plan or apply, plan again before applying.`);
        return heldLock(file, me);
      }
      await pause(100, options.signal);
      continue;
    }
    const holder = current as LockHolder;
    if (Date.now() >= deadline) throw new ProjectLockedError(heldMessage(holder, file, options.waitSeconds));
    const described = describeHolder(holder);
    if (waitingFor !== described) {
      waitingFor = described;
      options.log(`waiting for ${described} to release the project lock (held since ${holder.since})${Number.isFinite(options.waitSeconds) ? `, for at most ${options.waitSeconds} s` : ""} ...`);
    }
    await pause(options.pollMs ?? 500, options.signal);
  }
}

/** `cerby-okta apply (pid 1234 on host ci-7)` */
export function describeHolder(holder: LockHolder): string {
  return `cerby-okta ${holder.command} (pid ${holder.pid} on host ${holder.host})`;
}

function heldMessage(holder: LockHolder, file: string, waitSeconds: number | undefined): string {
  const waited = waitSeconds ? ` (waited ${waitSeconds} s)` : "";
  const elsewhere =
    holder.host === hostname()
      ? ""
      : ` This machine cannot tell whether a process on ${holder.host} still runs: if that run surely stopped, delete ${file}.`;
  return (
    `${describeHolder(holder)} has held the project lock since ${holder.since}${waited}; wait for it, or pass --wait to wait until it finishes ` +
    `(--wait=SECONDS: at most that long). Nothing was changed.${elsewhere}`
  );
}

/** Why the holder no longer holds it, or undefined when it (may) still run. */
function staleReason(holder: LockHolder): string | undefined {
  if (holder.host !== hostname()) return undefined;
  if (holder.pid === process.pid && holder.processStart === processStartOf(process.pid).processStart) return undefined;
  if (!isRunning(holder.pid)) return `process ${holder.pid} is no longer running (killed, or the machine restarted)`;
  const start = processStartOf(holder.pid).processStart;
  if (holder.processStart !== undefined && start !== undefined && start !== holder.processStart) {
    return `process ${holder.pid} ended; the PID now belongs to another program`;
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat: the start time, after the command name (which may hold spaces and parentheses). */
function processStartOf(pid: number): { processStart?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return start ? { processStart: start } : {};
  } catch {
    return {};
  }
}

/** Writes the holder aside, then links it into place: fails (false) when a lock file exists. */
async function createLockFile(file: string, holder: LockHolder): Promise<boolean> {
  const aside = `${file}.${holder.pid}.${holder.token}`;
  const text = `${JSON.stringify({ ...holder, since: new Date().toISOString() }, null, 2)}\n`; // since it was taken, not since waiting began
  try {
    await writeFile(aside, text, { flag: "wx" });
    await link(aside, file).catch(async (error: NodeJS.ErrnoException) => {
      // A file system without hard links: an exclusive create, which a reader may briefly see empty (see UNREADABLE_GRACE_MS).
      if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(error.code ?? "")) throw error;
      await writeFile(file, text, { flag: "wx" });
    });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new ExternalError(`cannot take the project lock ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

async function readHolder(file: string): Promise<LockHolder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw new ExternalError(`cannot read the project lock ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    const valid = typeof holder?.command === "string" && Number.isInteger(holder.pid) && typeof holder.host === "string" && typeof holder.since === "string" && typeof holder.token === "string";
    return valid ? holder : "unreadable";
  } catch {
    return "unreadable";
  }
}

/**
 * Replaces a stale lock with ours. Two commands may find the same stale lock
 * at once: a guard folder (mkdir is atomic) lets one of them check again that
 * the lock is still the stale one, remove it and take it; the other retries.
 */
async function takeOver(file: string, stale: LockHolder | "unreadable", me: LockHolder): Promise<boolean> {
  const guard = `${file}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if ((await ageOf(guard)) > TAKEOVER_GUARD_STALE_MS) await rmdir(guard).catch(() => undefined);
    return false;
  }
  try {
    const current = await readHolder(file);
    const same = current === stale || (typeof current === "object" && typeof stale === "object" && current.token === stale.token);
    if (current !== "gone") {
      if (!same) return false;
      await unlink(file).catch(() => undefined);
    }
    return await createLockFile(file, me);
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

/** Locks this process holds, released by `releaseHeldLocks` when a command ends. */
const held = new Set<ProjectLock>();

/** Releases every lock this process holds: the CLI calls it when a command ends, whether it succeeded or failed. */
export async function releaseHeldLocks(): Promise<void> {
  for (const lock of [...held]) await lock.release();
}

/** Milliseconds since the file was last written; 0 when it is gone. */
function ageOf(file: string): Promise<number> {
  return stat(file).then(
    (info) => Date.now() - info.mtimeMs,
    () => 0,
  );
}

function heldLock(file: string, holder: LockHolder): ProjectLock {
  let released = false;
  // On any exit (process.exit included), the lock goes with the process.
  const onExit = () => releaseSync(file, holder);
  process.on("exit", onExit);
  // A command that does not handle signals itself would die with the lock file in place.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return; // the command stops cleanly and releases in its own time
    releaseSync(file, holder);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const lock: ProjectLock = {
    file,
    holder,
    async release() {
      if (released) return;
      released = true;
      held.delete(lock);
      process.off("exit", onExit);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      releaseSync(file, holder);
    },
  };
  held.add(lock);
  return lock;
}

function releaseSync(file: string, holder: LockHolder): void {
  try {
    const current = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    if (current.token === holder.token) unlinkSync(file);
  } catch {
    // Gone already, or taken over by another command that found us dead: not ours to remove.
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
