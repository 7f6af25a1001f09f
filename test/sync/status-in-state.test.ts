// What an apply records (R9 "last synced", and what lets `plan` skip an
// unchanged stack) lives in the stack's Terraform state: a second clone of
// the project sharing the backend, as a CI runner would, reads the same
// status and skips the same stacks, and a state changed since (destroyed)
// is planned again rather than trusted.
import { execa } from "execa";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";

const skip = shouldSkipTerraformTests();

/** An account whose name has what Terraform's jsonencode escapes or sorts apart: the record's digest must match ours all the same. */
const HOSTILE = 'Promo <b> & "q" \\ ${x} %{y} \u{1F600} \uFF21';
const HOSTILE_LABEL = `${HOSTILE} - Instagram`;
const allLabels = (labels: string[]) => [...labels, HOSTILE_LABEL].sort();

function workspace(names: string[]) {
  return {
    version: 1,
    workspace: { id: "ws-shared", name: "Shared", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
    users: [
      { id: "u-owner", email: "owner@shared.example", oktaUserId: "00usharedowner", workspaceRole: "owner" },
      { id: "u-1", email: "one@shared.example", oktaUserId: "00ushared1", workspaceRole: "user" },
    ],
    accounts: [...names, HOSTILE].map((name, index) => ({
      id: index === names.length ? "a-hostile" : `a-${index}`,
      name,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }, { user: "u-1", role: "collaborator" }],
      okta: { extendedBy: "u-owner", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

type Accounts = Record<string, { label: string; lastSyncedAt?: string }>;

describe.skipIf(skip)("the apply record in a state shared by two clones", () => {
  let harness: SyncHarness;
  /** The second clone's project folder: its own cerby-okta.yaml, stacks and .cerby-okta, the same state files. */
  let clone: string;
  let terraformCalls: string;
  let countingTerraform: string;
  const write = (names: string[]) => writeFile(path.join(harness.cwd, "workspaces", "shared", "workspace.json"), JSON.stringify(workspace(names), null, 2));
  // The clone reads the same workspace files through $CERBY_OKTA_WORKSPACES, as `cdktf synth` would.
  const inClone = (args: string[]) => harness.cli(args, { cwd: clone, env: { CERBY_OKTA_WORKSPACES: "../workspaces" } });
  const statusOf = async (run: (args: string[]) => ReturnType<SyncHarness["cli"]>) => {
    const result = await run(["status", "--json"]);
    expect(result.exitCode).toBe(0);
    return JSON.parse(result.stdout) as { workspaces: { accounts: Accounts }[]; stacks: { stack: string; state: string; detail: string }[] };
  };
  const calls = async () => (await readFile(terraformCalls, "utf8").catch(() => "")).split("\n").filter(Boolean);

  beforeAll(async () => {
    requireTerraform();
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "shared"), { recursive: true });
      await writeFile(path.join(dir, "shared", "workspace.json"), JSON.stringify(workspace(["Brand 0", "Brand 1", "Brand 2"]), null, 2));
    });
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "backend:\n  type: local\n  path: shared-state/{workspaceId}.tfstate\n");
    clone = path.join(harness.cwd, "clone");
    await mkdir(clone);
    await writeFile(path.join(clone, "cerby-okta.yaml"), "backend:\n  type: local\n  path: ../shared-state/{workspaceId}.tfstate\n");
    // Counts every Terraform the clone starts.
    terraformCalls = path.join(harness.cwd, "terraform-calls.log");
    countingTerraform = path.join(harness.cwd, "counting-terraform");
    await writeFile(countingTerraform, `#!/bin/sh\necho "$1" >> ${JSON.stringify(terraformCalls)}\nexec terraform "$@"\n`);
    await chmod(countingTerraform, 0o755);
    await harness.sync();
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it("shows in the second clone the status the first clone's apply recorded, and skips the stack there with no Terraform and no Okta request", async () => {
    const first = await statusOf((args) => harness.cli(args));
    const second = await statusOf(inClone);
    expect(second.workspaces).toEqual(first.workspaces);
    for (const account of Object.values(second.workspaces[0]!.accounts)) expect(Date.parse(account.lastSyncedAt ?? "")).toBeGreaterThan(Date.now() - 600_000);
    expect(second.stacks).toEqual([{ stack: "ws-shared", workspaceId: "ws-shared", state: "applied", detail: "applied as it is" }]);

    harness.emulator.resetRequestLog();
    const plan = await inClone(["plan", "--terraform-binary", countingTerraform]);
    expect(plan.stderr).toContain("1 of 1 stack unchanged since the last apply: not planned");
    expect(plan.exitCode).toBe(0);
    expect(await calls()).toEqual([]);
    expect(harness.emulator.requestCount({})).toBe(0);
  }, 120_000);

  it("stamps only the account whose objects an apply changed, and the clone plans that change", async () => {
    const before = (await statusOf(inClone)).workspaces[0]!.accounts;
    // Stamps are whole seconds (Terraform's timestamp()): the next apply's must be a later one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await write(["Brand zero", "Brand 1", "Brand 2"]);
    const planned = await inClone(["plan", "--terraform-binary", countingTerraform]);
    expect(planned.exitCode).toBe(2);
    expect(planned.stdout).toContain('~ a-0: relabel "Brand 0 - Instagram" -> "Brand zero - Instagram"');
    // the counter counts: this time the stack needed Terraform (`version -json`: the version check, once per run; init: the clone's stack folder
    // was never initialized; the local state is read directly to check the Okta user IDs the plan would add, okta-checks.ts)
    expect(await calls()).toEqual(["version", "init", "plan", "show"]);
    await harness.sync();

    const after = (await statusOf(inClone)).workspaces[0]!.accounts;
    expect(after["a-0"]!.label).toBe("Brand zero - Instagram");
    expect(Date.parse(after["a-0"]!.lastSyncedAt!)).toBeGreaterThan(Date.parse(before["a-0"]!.lastSyncedAt!));
    expect(after["a-1"]!.lastSyncedAt).toBe(before["a-1"]!.lastSyncedAt);
    expect(after["a-2"]!.lastSyncedAt).toBe(before["a-2"]!.lastSyncedAt);
  }, 180_000);

  it("after a terraform destroy, claims no sync and plans the stack again in either clone, and applying it there restores every chiclet once", async () => {
    const stackFolder = path.join(harness.cwd, "cdktf.out", "stacks", "ws-shared");
    const destroy = await execa("terraform", ["destroy", "-auto-approve", "-no-color", "-refresh=false"], { cwd: stackFolder, env: harness.sandbox.env, reject: false });
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(0);

    const status = await statusOf(inClone);
    expect(Object.values(status.workspaces[0]!.accounts).map((account) => account.lastSyncedAt)).toEqual([undefined, undefined, undefined, undefined]);
    expect(status.stacks[0]).toMatchObject({ state: "pending", detail: "no apply recorded in its state" });
    const changed = await inClone(["shards", "--changed", "--json"]);
    expect(JSON.parse(changed.stdout).stacks.map((stack: { stack: string }) => stack.stack)).toEqual(["ws-shared"]);

    const plan = await inClone(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ a-0: new chiclet "Brand zero - Instagram"');
    const apply = await inClone(["apply"]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect([...harness.emulator.state.apps.values()].map((app) => app.label).sort()).toEqual(allLabels(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand zero - Instagram"]));
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());

    // And the first clone, which applied nothing since, skips it: the state says it is applied.
    const again = await harness.cli(["plan"]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain("1 of 1 stack unchanged since the last apply");
  }, 240_000);

  it("after an apply that failed half-way, plans the stack even once the files are back as they were", async () => {
    const labels = () => [...harness.emulator.state.apps.values()].map((app) => app.label).sort();
    await write(["Brand zero", "Brand one", "Brand two"]);
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    // Okta refuses one of the two relabels: the other goes through.
    harness.emulator.failNext({ method: "PUT", route: "/api/v1/apps/{id}", status: 403, errorCode: "E0000006", errorSummary: "You do not have permission to perform the requested action" });
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    const halfway = labels();
    expect(halfway.filter((label) => label === "Brand one - Instagram" || label === "Brand two - Instagram")).toHaveLength(1);

    // The files go back to what the last finished apply applied; Okta still holds the one relabel.
    await write(["Brand zero", "Brand 1", "Brand 2"]);
    const status = await statusOf(inClone);
    expect(status.stacks[0]).toMatchObject({ state: "pending", detail: "its last apply did not finish" });
    const again = await inClone(["plan"]);
    expect(again.exitCode).toBe(2);
    expect(again.stdout).toMatch(/~ a-[12]: relabel "Brand (one|two) - Instagram" -> "Brand [12] - Instagram"/);
    expect((await inClone(["apply"])).exitCode).toBe(0);
    expect(labels()).toEqual(allLabels(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand zero - Instagram"]));
  }, 240_000);
});
