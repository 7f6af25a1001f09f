import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireProjectLock, lockFile, ProjectLockedError, releaseHeldLocks } from "../../src/sync/project-lock.ts";

let stateDir: string;
let logged: string[];
const log = (message: string) => void logged.push(message);

beforeEach(async () => {
  stateDir = path.join(await mkdtemp(path.join(tmpdir(), "cerby-okta-lock-")), ".cerby-okta");
  logged = [];
});
afterEach(async () => {
  await releaseHeldLocks();
  await rm(path.dirname(stateDir), { recursive: true, force: true });
});

/** The PID of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("the project lock", () => {
  it("names its holder in the lock file: command, pid, host, since", async () => {
    const lock = await acquireProjectLock(stateDir, { command: "apply", log });
    const holder = JSON.parse(await readFile(lockFile(stateDir), "utf8"));
    expect(holder).toMatchObject({ command: "apply", pid: process.pid, host: hostname() });
    expect(Date.parse(holder.since)).not.toBeNaN();
    await lock.release();
    expect(existsSync(lockFile(stateDir))).toBe(false);
  });

  it("refuses a second command at once, naming the holder and --wait", async () => {
    await acquireProjectLock(stateDir, { command: "apply", log });
    const second = acquireProjectLock(stateDir, { command: "plan", log });
    await expect(second).rejects.toThrow(ProjectLockedError);
    await expect(second).rejects.toThrow(new RegExp(`^cerby-okta apply \\(pid ${process.pid} on host ${hostname()}\\) has held the project lock since \\d{4}-.*; wait for it, or pass --wait`));
  });

  it("lets exactly one of two commands started at once take it", async () => {
    const results = await Promise.allSettled([1, 2, 3].map((n) => acquireProjectLock(stateDir, { command: `plan-${n}`, log })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason)).toEqual([
      expect.any(ProjectLockedError),
      expect.any(ProjectLockedError),
    ]);
  });

  it("waits with --wait until the holder releases it, and says whom it waits for", async () => {
    const first = await acquireProjectLock(stateDir, { command: "apply", log });
    let taken = false;
    const second = acquireProjectLock(stateDir, { command: "plan", log, waitSeconds: Infinity, pollMs: 10 }).then((lock) => ((taken = true), lock));
    while (logged.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(logged[0]).toMatch(new RegExp(`^waiting for cerby-okta apply \\(pid ${process.pid} on host .*\\) to release the project lock`));
    expect(taken).toBe(false);
    await first.release();
    const lock = await second;
    expect(JSON.parse(await readFile(lockFile(stateDir), "utf8")).command).toBe("plan");
    await lock.release();
  });

  it("gives up after --wait=SECONDS, saying how long it waited", async () => {
    await acquireProjectLock(stateDir, { command: "apply", log });
    await expect(acquireProjectLock(stateDir, { command: "plan", log, waitSeconds: 0.05, pollMs: 10 })).rejects.toThrow(/has held the project lock since .* \(waited 0.05 s\)/);
  });

  it("takes over a lock whose process was killed, and says so", async () => {
    const pid = deadPid();
    await acquireProjectLock(stateDir, { command: "x", log }).then((lock) => lock.release()); // creates the folder
    await writeFile(lockFile(stateDir), JSON.stringify({ command: "apply", pid, host: hostname(), since: "2026-12-05T22:00:00.000Z", token: "dead" }));
    const lock = await acquireProjectLock(stateDir, { command: "plan", log });
    expect(logged.join("\n")).toContain(`cerby-okta apply (pid ${pid} on host ${hostname()}) held it, but process ${pid} is no longer running (killed, or the machine restarted)`);
    expect(JSON.parse(await readFile(lockFile(stateDir), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("takes over a lock whose PID now belongs to another program", async () => {
    await acquireProjectLock(stateDir, { command: "x", log }).then((lock) => lock.release());
    await writeFile(lockFile(stateDir), JSON.stringify({ command: "apply", pid: process.pid, host: hostname(), since: "2026-12-05T22:00:00.000Z", processStart: "1", token: "old" }));
    await acquireProjectLock(stateDir, { command: "plan", log });
    expect(logged.join("\n")).toContain(`process ${process.pid} ended; the PID now belongs to another program`);
  });

  it("takes over an unreadable lock file", async () => {
    await acquireProjectLock(stateDir, { command: "x", log }).then((lock) => lock.release());
    await writeFile(lockFile(stateDir), "{");
    // Younger, it could be a lock being written where there are no hard links: looked at again, not taken.
    await expect(acquireProjectLock(stateDir, { command: "plan", log })).rejects.toThrow(`another command is taking the project lock ${lockFile(stateDir)} right now`);
    await utimes(lockFile(stateDir), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await acquireProjectLock(stateDir, { command: "plan", log });
    expect(logged.join("\n")).toContain("its lock file cannot be read");
  });

  it("never takes over a lock held on another host, and says how to remove it", async () => {
    await acquireProjectLock(stateDir, { command: "x", log }).then((lock) => lock.release());
    await writeFile(lockFile(stateDir), JSON.stringify({ command: "apply", pid: deadPid(), host: "ci-runner-7", since: "2026-12-05T22:00:00.000Z", token: "far" }));
    await expect(acquireProjectLock(stateDir, { command: "plan", log })).rejects.toThrow(
      `This machine cannot tell whether a process on ci-runner-7 still runs: if that run surely stopped, delete ${lockFile(stateDir)}`,
    );
  });

  it("on release, leaves a lock another command took over", async () => {
    const mine = await acquireProjectLock(stateDir, { command: "apply", log });
    const theirs = JSON.stringify({ command: "plan", pid: 1, host: hostname(), since: "2026-12-05T22:00:00.000Z", token: "theirs" });
    await writeFile(lockFile(stateDir), theirs);
    await mine.release();
    expect(await readFile(lockFile(stateDir), "utf8")).toBe(theirs);
  });

  const compiled = path.resolve(import.meta.dirname, "../../dist/src/sync/project-lock.js");
  const holding = (command: string, then: string) =>
    `const { acquireProjectLock } = await import(${JSON.stringify(compiled)}); ` +
    `await acquireProjectLock(${JSON.stringify(stateDir)}, { command: ${JSON.stringify(command)}, log() {} }); ${then}`;

  it("is released when its process exits, even by process.exit", () => {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", holding("synth", "process.exit(3);")]);
    expect(run.status).toBe(3);
    expect(existsSync(lockFile(stateDir))).toBe(false);
  });

  it("is released on SIGTERM by a command that does not stop Terraform itself, which then exits 130", async () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", holding("synth", "console.log('held'); setInterval(() => {}, 1000);")]);
    await new Promise<void>((resolve) => child.stdout.on("data", (chunk) => String(chunk).includes("held") && resolve()));
    expect(existsSync(lockFile(stateDir))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    expect(existsSync(lockFile(stateDir))).toBe(false);
  });
});
