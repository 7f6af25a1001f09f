// Changing a workspace's shard count moves accounts between Terraform states
// without creating, deleting or losing anything in Okta: real CLI, real
// Terraform, stand-in provider, emulator.
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import type { SyncHarness } from "../../harness/sync-harness.ts";
import { syncWorkspace } from "../../harness/sync-workspace.ts";
import { shardOf } from "../../src/stack/shards.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

const skip = shouldSkipTerraformTests();

const workspace = (id: string, accounts: number) =>
  syncWorkspace(id, accounts, { users: 4, accountId: (index) => (index === 0 ? "__proto__" : `a-${index}`) });

const startHarness = harnessPerTest();

const start = (doc: object) => startHarness({ "acme/workspace.json": doc });

const groupsOf = (harness: SyncHarness) => new Map([...harness.emulator.state.groups].map(([id, group]) => [id, JSON.stringify(group.profile)]));
const writes = (harness: SyncHarness, route: RegExp) => harness.emulator.requests.filter((request) => request.method !== "GET" && route.test(request.route)).length;

describe.skipIf(skip)("changing the shard count", () => {
  beforeAll(() => requireTerraform());

  it("refuses to plan until reshard moved the accounts, then imports them: no app or group created or deleted, dashboards unchanged", async () => {
    const harness = await start(workspace("ws-shard", 12));
    await harness.sync();
    const apps = new Map([...harness.emulator.state.apps].map(([id, app]) => [id, app.label]));
    const dashboards = harness.dashboards();
    const groups = groupsOf(harness);
    expect(apps.size).toBe(12);

    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws-shard: 4\n");
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("cerby-okta reshard");

    harness.emulator.resetRequestLog();
    const moved = await harness.cli(["reshard"]);
    expect(moved.stderr).not.toMatch(/error/i);
    expect(moved.exitCode).toBe(0);
    expect(moved.stdout).toContain("ws-shard: 1 -> 4 shards; 12 accounts moved into 4 stacks (nothing in Okta changed)");
    expect(harness.emulator.requests.filter((request) => request.method !== "GET")).toEqual([]);

    const plan = await harness.cli(["plan", "--parallel", "2"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain("adopt the existing Okta app");
    // Every stack keeps to the whole share, whatever the number at once.
    const apply = await harness.cli(["apply", "--parallel", "4"]);
    expect(apply.stderr).not.toMatch(/error/i);
    expect(apply.exitCode).toBe(0);

    // No app or group created, changed or deleted; no membership or assignment removed.
    expect(harness.emulator.requestCount({ method: "GET", route: "/api/v1/apps/{id}" })).toBeGreaterThan(0); // the imports read them; routes are named as the emulator logs them
    expect(writes(harness, /^\/api\/v1\/(apps|groups)$/)).toBe(0);
    expect(writes(harness, /^\/api\/v1\/apps\/\{id\}$/)).toBe(0);
    // Each imported group is written once with what it holds: the provider's `skip_users` default, left unset by its import, is a diff.
    expect(writes(harness, /^\/api\/v1\/groups\/\{id\}$/)).toBe(12);
    expect(groupsOf(harness)).toEqual(groups);
    expect(harness.emulator.requests.filter((request) => request.method === "DELETE")).toEqual([]);
    expect(new Map([...harness.emulator.state.apps].map(([id, app]) => [id, app.label]))).toEqual(apps);
    expect(harness.dashboards()).toEqual(dashboards);
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());

    // Every stack is in step: nothing more to plan, even with --all.
    const again = await harness.cli(["plan", "--all"]);
    expect(again.exitCode).toBe(0);
    const status = JSON.parse((await harness.cli(["status", "--json"])).stdout);
    expect(Object.keys(status.workspaces[0].accounts)).toHaveLength(12);
    const shards = JSON.parse((await harness.cli(["shards", "--json"])).stdout);
    expect(shards.stacks.map((stack: { stack: string; changed: boolean }) => [stack.stack, stack.changed])).toEqual([0, 1, 2, 3].map((index) => [`ws-shard-s00${index}`, false]));
    expect(shards.stacks.reduce((total: number, stack: { accounts: number }) => total + stack.accounts, 0)).toBe(12);
    // One account relabelled: only its shard needs a plan.
    const document = workspace("ws-shard", 12);
    document.accounts[5]!.name = "Brand five";
    await writeFile(path.join(harness.cwd, "workspaces", "acme", "workspace.json"), JSON.stringify(document, null, 2));
    const changed = JSON.parse((await harness.cli(["shards", "--json", "--changed"])).stdout);
    expect(changed.stacks).toHaveLength(1);
    expect(changed.stacks[0].accounts).toBeGreaterThan(0);
    await writeFile(path.join(harness.cwd, "workspaces", "acme", "workspace.json"), JSON.stringify(workspace("ws-shard", 12), null, 2));

    // And back to one stack.
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws-shard: 1\n");
    const back = await harness.cli(["reshard"]);
    expect(back.exitCode).toBe(0);
    expect(back.stdout).toContain("ws-shard: 4 -> 1 shards; 12 accounts moved into 1 stack");
    await harness.sync();
    expect(new Map([...harness.emulator.state.apps].map(([id, app]) => [id, app.label]))).toEqual(apps);
    expect(harness.dashboards()).toEqual(dashboards);
    expect((await harness.cli(["plan", "--all"])).exitCode).toBe(0);
  }, 400_000);

  it("refuses a shard whose stack ID is a workspace's, even one whose folder is gone: its state stays untouched", async () => {
    const harness = await startHarness(Object.fromEntries(["ws2", "ws2-s001"].map((id) => [`${id}/workspace.json`, syncWorkspace(id, 3, { users: 1, name: (index) => `${id} ${index}` })])));
    await harness.sync();
    expect(harness.emulator.state.apps.size).toBe(6);
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws2: 2\n");
    const present = await harness.cli(["plan"]);
    expect(present.exitCode).toBe(1);
    expect(present.stderr).toContain("but ws2-s001 is also a workspace's ID: the two would share one Terraform state");

    // The workspace's folder removed (nothing of it is planned, R1), its state still here.
    const stateFile = path.join(harness.cwd, "terraform.ws2-s001.tfstate");
    const state = await readFile(stateFile, "utf8");
    await rm(path.join(harness.cwd, "workspaces", "ws2-s001"), { recursive: true });
    const gone = await harness.cli(["plan"]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain("but ws2-s001 is the stack of workspace ws2-s001, applied here before");
    expect(gone.stderr).toContain("Leave ws2 whole; nothing was planned");
    expect(await readFile(stateFile, "utf8")).toBe(state);
    expect(harness.emulator.state.apps.size).toBe(6);
  }, 300_000);

  it("is finished by running it again after a kill midway, and moves back what was still to import when the count goes back before any apply", async () => {
    const harness = await start(workspace("ws-shard", 12));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws-shard: 2\n");
    await harness.sync();
    const apps = new Map([...harness.emulator.state.apps].map(([id, app]) => [id, app.label]));
    const dashboards = harness.dashboards();
    const ids = workspace("ws-shard", 12).accounts.map((account) => account.id);
    const changing = (from: number, to: number) => ids.filter((id) => shardOf(id, from) !== shardOf(id, to)).length;

    // A Terraform that kills cerby-okta (kill -9) as it removes the moved accounts from the second old state.
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws-shard: 4\n");
    const wrapper = path.join(harness.cwd, "terraform-killer.sh");
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase " $* " in *" state rm "*)\n  n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"\n  if [ "$n" -ge 2 ]; then kill -9 $PPID; exit 1; fi;;\nesac\nexec terraform "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    harness.emulator.resetRequestLog();
    const killed = await harness.cli(["reshard", "--terraform-binary", wrapper], { env: { COUNTER: path.join(harness.cwd, "counter") } });
    expect(killed.exitCode).not.toBe(0);
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("a reshard stopped midway: ws-shard (2 -> 4 shards)");
    expect(refused.stderr).toContain("Run `cerby-okta reshard` to finish it");

    const finished = await harness.cli(["reshard"]);
    expect(finished.stderr).not.toMatch(/error/i);
    expect(finished.exitCode).toBe(0);
    expect(finished.stdout).toContain(`ws-shard: 2 -> 4 shards; ${changing(2, 4)} accounts moved into 2 stacks (nothing in Okta changed)`);

    // Back to 2 before anything was applied in 4: the accounts waiting to be imported go back.
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards:\n  ws-shard: 2\n");
    const back = await harness.cli(["reshard"]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stdout).toContain(`ws-shard: 4 -> 2 shards; ${changing(2, 4)} accounts moved into 2 stacks`);
    expect(back.stdout).toContain("Next: `cerby-okta plan` shows the moved apps and groups as imports");
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("adopt the existing Okta app");
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode, apply.stderr).toBe(0);

    // Nothing created or deleted in Okta, no one's dashboard changed, and nothing left to do.
    expect(writes(harness, /^\/api\/v1\/(apps|groups)$/)).toBe(0);
    expect(harness.emulator.requests.filter((request) => request.method === "DELETE")).toEqual([]);
    expect(new Map([...harness.emulator.state.apps].map(([id, app]) => [id, app.label]))).toEqual(apps);
    expect(harness.dashboards()).toEqual(dashboards);
    expect((await harness.cli(["plan", "--all"])).exitCode).toBe(0);
    const again = await harness.cli(["reshard"]);
    expect(again.stdout).toContain("ws-shard: already in 2 shards, nothing to move");
  }, 400_000);
});
