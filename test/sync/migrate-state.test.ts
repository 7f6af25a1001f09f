// migrate-state can be run again until it is done: a run killed midway, or
// failing on one stack, is finished by the next; a destination that already
// holds another or a newer state is refused and left as it was. Real CLI,
// real Terraform, stand-in provider, emulator.
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { syncWorkspace } from "../../harness/sync-workspace.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

const skip = shouldSkipTerraformTests();

const workspace = (id: string, accounts: number) => syncWorkspace(id, accounts, { users: 1, name: (index) => `${id} ${index}` });

const startHarness = harnessPerTest();

const start = (docs: Record<string, object>, config: string) =>
  startHarness(Object.fromEntries(Object.entries(docs).map(([folder, doc]) => [`${folder}/workspace.json`, doc])), { config });

/** Per stack: [outcome, apps] from migrate-state's report lines. */
function reported(stdout: string): Map<string, [string, number]> {
  const lines = new Map<string, [string, number]>();
  for (const match of stdout.matchAll(/^(\S+): (state moved|already in|never planned here)[^\n]*?(?:(\d+) apps)?$/gm)) {
    lines.set(match[1]!, [match[2]!, Number(match[3] ?? 0)]);
  }
  return lines;
}

const SHARDED = "shards:\n  ws-mig: 4\n";
const MOVED = `${SHARDED}backend:\n  type: local\n  path: moved/{workspaceId}/terraform.tfstate\n`;
const stacks = ["ws-mig-s000", "ws-mig-s001", "ws-mig-s002", "ws-mig-s003"];

describe.skipIf(skip)("migrate-state, run again until done", () => {
  beforeAll(() => requireTerraform());

  it("finishes a run killed after 2 of 4 stacks, and a third run finds everything in place", async () => {
    const harness = await start({ acme: workspace("ws-mig", 12) }, SHARDED);
    await harness.sync();
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), MOVED);

    // A Terraform that kills cerby-okta (kill -9) as it starts the third stack's copy.
    const wrapper = path.join(harness.cwd, "terraform-killer.sh");
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase " $* " in *" -migrate-state "*)\n  n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"\n  if [ "$n" -ge 3 ]; then kill -9 $PPID; exit 1; fi;;\nesac\nexec terraform "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    const killed = await harness.cli(["migrate-state", "--terraform-binary", wrapper], { env: { COUNTER: path.join(harness.cwd, "counter") } });
    expect(killed.exitCode).not.toBe(0);
    expect(existsSync(path.join(harness.cwd, "moved", "ws-mig-s001", "terraform.tfstate"))).toBe(true);
    expect(existsSync(path.join(harness.cwd, "moved", "ws-mig-s002", "terraform.tfstate"))).toBe(false);
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("cerby-okta migrate-state");

    const again = await harness.cli(["migrate-state"]);
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.exitCode).toBe(0);
    const report = reported(again.stdout);
    expect([...report.keys()]).toEqual(stacks);
    expect(stacks.map((stack) => report.get(stack)![0])).toEqual(["already in", "already in", "state moved", "state moved"]);
    expect(stacks.reduce((total, stack) => total + report.get(stack)![1], 0)).toBe(12);
    const journal = JSON.parse(await readFile(path.join(harness.cwd, ".cerby-okta", "migrate-state.json"), "utf8"));
    expect(stacks.map((stack) => journal.stacks[stack].outcome)).toEqual(["already", "already", "moved", "moved"]);

    // Nothing to plan, nothing created twice.
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(12);
    const third = await harness.cli(["migrate-state"]);
    expect(third.exitCode).toBe(0);
    expect(stacks.map((stack) => reported(third.stdout).get(stack)![0])).toEqual(stacks.map(() => "already in"));
  }, 400_000);

  it("moves the others when one stack's destination cannot be written, and finishes once it can; a workspace added since the last plan starts in the new backend", async () => {
    // Its people are in Okta already; the workspace syncs only later.
    const later = workspace("ws-later", 2);
    const harness = await start({ acme: workspace("ws-mig", 12), later: { ...later, workspace: { ...later.workspace, extendedAccountAccess: false } } }, SHARDED);
    await harness.sync();
    // A workspace synced since the last plan: never initialized, nothing to move.
    await writeFile(path.join(harness.cwd, "workspaces", "later", "workspace.json"), JSON.stringify(later, null, 2));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), MOVED);
    // Where one stack's state should go is a file: its folder cannot be made.
    await mkdir(path.join(harness.cwd, "moved"), { recursive: true });
    await writeFile(path.join(harness.cwd, "moved", "ws-mig-s002"), "in the way\n");

    // One stack first: only its folder gets the new backend.
    const one = await harness.cli(["migrate-state", "--stack", "ws-mig-s000"]);
    expect(one.exitCode, one.stderr).toBe(0);
    expect(reported(one.stdout).get("ws-mig-s000")?.[0]).toBe("state moved");
    const backendOf = async (stack: string) => JSON.parse(await readFile(path.join(harness.cwd, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8")).terraform.backend.local.path;
    expect(await backendOf("ws-mig-s000")).toBe(path.join(harness.cwd, "moved", "ws-mig-s000", "terraform.tfstate"));
    expect(await backendOf("ws-mig-s001")).toBe(path.join(harness.cwd, "terraform.ws-mig-s001.tfstate"));

    const failed = await harness.cli(["migrate-state"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("1 of 5 stacks not moved:\n  ws-mig-s002:");
    expect(failed.stderr).toContain("run `cerby-okta migrate-state` again");
    const first = reported(failed.stdout);
    expect(first.get("ws-later")?.[0]).toBe("never planned here");
    expect(["ws-mig-s000", "ws-mig-s001", "ws-mig-s003"].map((stack) => first.get(stack)?.[0])).toEqual(["already in", "state moved", "state moved"]);

    await rm(path.join(harness.cwd, "moved", "ws-mig-s002"));
    const again = await harness.cli(["migrate-state"]);
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.exitCode).toBe(0);
    const report = reported(again.stdout);
    expect(report.get("ws-mig-s002")?.[0]).toBe("state moved");
    expect(stacks.reduce((total, stack) => total + report.get(stack)![1], 0)).toBe(12);

    // The new workspace's first sync creates its two apps in the new backend; nothing else changes.
    await harness.sync();
    expect(harness.emulator.state.apps.size).toBe(14);
    expect(existsSync(path.join(harness.cwd, "moved", "ws-later", "terraform.tfstate"))).toBe(true);
    expect((await harness.cli(["plan"])).exitCode).toBe(0);
  }, 400_000);

  it("refuses a destination holding a newer or another state, naming both serials, and leaves it untouched", async () => {
    const harness = await start({ acme: workspace("ws-dst", 3) }, "# default backend\n");
    await harness.sync();
    const source = JSON.parse(await readFile(path.join(harness.cwd, "terraform.ws-dst.tfstate"), "utf8"));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "backend:\n  type: local\n  path: moved/{workspaceId}.tfstate\n");
    await mkdir(path.join(harness.cwd, "moved"), { recursive: true });
    const destination = path.join(harness.cwd, "moved", "ws-dst.tfstate");

    // Another copy of the project moved a newer state there first.
    const newer = `${JSON.stringify({ ...source, serial: source.serial + 13 }, null, 2)}\n`;
    await writeFile(destination, newer);
    const refused = await harness.cli(["migrate-state"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`the destination already holds a newer state: the destination holds serial ${source.serial + 13}`);
    expect(refused.stderr).toContain(`the old backend serial ${source.serial}`);
    expect(await readFile(destination, "utf8")).toBe(newer);

    // Another workspace's state (another lineage) is not overwritten either.
    const other = `${JSON.stringify({ ...source, lineage: "0c6e0b6a-0000-4000-8000-000000000000", serial: 1 }, null, 2)}\n`;
    await writeFile(destination, other);
    const again = await harness.cli(["migrate-state"]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("the destination already holds another state: the destination holds serial 1 (lineage 0c6e0b6a-0000-4000-8000-000000000000");
    expect(await readFile(destination, "utf8")).toBe(other);

    // An older copy of this same state is brought up to date.
    await writeFile(destination, `${JSON.stringify({ ...source, serial: 1, resources: [] }, null, 2)}\n`);
    const moved = await harness.cli(["migrate-state"]);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/ws-dst: state moved from local .* to local moved\/ws-dst\.tfstate; checked: \d+ resources, 3 apps/);
    expect((await harness.cli(["plan"])).exitCode).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(3);
  }, 300_000);
});
