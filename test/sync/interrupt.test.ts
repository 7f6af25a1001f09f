// SIGTERM during a long apply: Terraform is stopped cleanly, no state lock is
// left, the exit code says so, and the next plan and apply finish the sync.
// The same for the watcher: a signal to it alone (a service manager's stop)
// reaches the Terraform it started and that Terraform's providers.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { brandsWorkspace } from "../../harness/workspace-fixture.ts";

// Few accounts, each answer held LATENCY_MS while the apply runs: an apply still far from done when the signal
// comes, even on a busy machine, at a fraction of the CPU of a larger workspace. Off again for the syncs after.
const ACCOUNTS = 40;
const LATENCY_MS = 400;

let harness: SyncHarness | undefined;
let watched: SyncHarness | undefined;
afterAll(async () => {
  await harness?.stop();
  await watched?.stop();
});

function startHarness() {
  return SyncHarness.start(async (dir) => {
    await mkdir(path.join(dir, "big"), { recursive: true });
    await writeFile(path.join(dir, "big", "snapshot.json"), JSON.stringify(brandsWorkspace(ACCOUNTS)));
    // One stack, as a project sets it (a workspace never synced may be sharded at its first plan).
    await writeFile(path.join(dir, "..", "cerby-okta.yaml"), "shards:\n  ws-big: 1\n");
  });
}

/** Live (not zombie) processes: pid -> [parent pid, command line]. */
function processes(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const line of execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" }).split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (match && !match[3]!.startsWith("Z")) table.set(Number(match[1]), [Number(match[2]), match[4]!]);
  }
  return table;
}

/** Every process below `root`, with its command line. */
function descendants(root: number): Map<number, string> {
  const table = processes();
  const found = new Map<number, string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, [parent, args]] of table) {
      if (!found.has(pid) && (parent === root || found.has(parent))) {
        found.set(pid, args);
        grew = true;
      }
    }
  }
  return found;
}

describe.skipIf(shouldSkipTerraformTests())("stopping an apply", () => {
  it("stops Terraform cleanly on SIGTERM, exits 130, and the next plan and apply finish", async () => {
    requireTerraform();
    harness = await startHarness();
    expect((await harness.cli(["plan"])).exitCode).toBe(2);

    harness.emulator.setLatency(LATENCY_MS);
    const apply = harness.cli(["apply"]);
    const appsCreated = () => harness!.emulator.requests.filter((request) => request.method === "POST" && request.route === "/api/v1/apps").length;
    const deadline = Date.now() + 60_000;
    while (appsCreated() < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(appsCreated()).toBeGreaterThanOrEqual(10);
    apply.kill("SIGTERM");
    const stopped = await apply;

    expect(stopped.exitCode).toBe(130);
    expect(stopped.stderr).toContain("SIGTERM: stopping Terraform cleanly");
    expect(stopped.stderr).toContain("[1/1] ws-big: stopped before it finished");
    expect(stopped.stderr).not.toMatch(/execution halted/i);
    expect(harness.emulator.state.apps.size).toBeLessThan(ACCOUNTS);
    // The local backend's lock lives beside the state file while Terraform runs.
    expect((await readdir(harness.cwd)).filter((name) => name.includes(".lock.info"))).toEqual([]);
    harness.emulator.setLatency(0);

    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode, `${plan.stdout}\n${plan.stderr}`).toBe(2);
    const resumed = await harness.cli(["apply"]);
    expect(resumed.exitCode, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(ACCOUNTS);
    expect((await harness.cli(["plan"])).exitCode).toBe(0);
  }, 300_000);

  it("stops the watcher's Terraform and its providers within 10 s of SIGTERM to the watcher alone, says so in one line, and the next sync finishes", async () => {
    requireTerraform();
    watched = await startHarness();
    const on = watched;
    on.emulator.setLatency(LATENCY_MS);
    const watch = on.cli(["watch", "--apply"]);
    let output = "";
    watch.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    watch.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const appsCreated = () => on.emulator.requests.filter((request) => request.method === "POST" && request.route === "/api/v1/apps").length;
    let exited = false;
    void watch.finally(() => (exited = true)).catch(() => undefined);
    const deadline = Date.now() + 120_000;
    while (appsCreated() < 10 && !exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(appsCreated(), `the watcher's output so far:\n${output}`).toBeGreaterThanOrEqual(10);
    const started = descendants(watch.pid!);
    // Not vacuous: Terraform is applying, with its provider below it.
    expect([...started.values()].some((args) => /\bapply\b/.test(args) && /terraform/.test(args))).toBe(true);
    expect(started.size).toBeGreaterThanOrEqual(2);

    // To the watcher alone, as a service manager sends it: not to its process group.
    process.kill(watch.pid!, "SIGTERM");
    const signalled = Date.now();
    const alive = () => [...started.keys()].filter((pid) => processes().has(pid));
    while (alive().length > 0 && Date.now() - signalled < 10_000) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive().map((pid) => started.get(pid))).toEqual([]);
    const stopped = await watch;

    expect(stopped.exitCode).toBe(1);
    expect(output).toContain("a Terraform run was interrupted");
    expect(output).not.toMatch(/execution halted/i);
    expect(output).toContain("[1/1] ws-big: stopped before it finished");
    // One line for the stack that was stopped, not one per resource.
    expect(output.split("\n").filter((line) => /stopped|interrupted/i.test(line)).length).toBeLessThanOrEqual(4);
    expect(on.emulator.state.apps.size).toBeLessThan(ACCOUNTS);
    expect((await readdir(on.cwd)).filter((name) => name.includes(".lock.info"))).toEqual([]);

    on.emulator.setLatency(0);
    await on.sync();
    expect(on.emulator.state.apps.size).toBe(ACCOUNTS);
    expect(new Set([...on.emulator.state.apps.values()].map((app) => app.label)).size).toBe(ACCOUNTS);
  }, 300_000);
});
