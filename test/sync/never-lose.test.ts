// Never lose a file, a state or an assignment; never duplicate a chiclet.
// Each scenario is a reproduction from the issue, run through the real CLI,
// real Terraform, the stand-in provider and the emulator.
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

const skip = shouldSkipTerraformTests();

function workspace(id: string, accounts: number, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    workspace: { id, name: id, extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" }, ...extra },
    users: [
      { id: "u-owner", email: `owner@${id}.example`, oktaUserId: `00u${id}owner`, workspaceRole: "owner" },
      ...Array.from({ length: 6 }, (_, index) => ({ id: `u-${index}`, email: `user${index}@${id}.example`, oktaUserId: `00u${id}${index}`, workspaceRole: "user" })),
    ],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: index === 0 ? "__proto__" : index === 1 ? "constructor" : `a-${index}`,
      name: `Brand ${index}`,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }, ...[0, 1, 2, 3, 4, 5].map((user) => ({ user: `u-${user}`, role: "collaborator" }))],
      okta: { extendedBy: "u-owner", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

const startHarness = harnessPerTest();

const start = (doc: object, file = "acme/workspace.json") => startHarness({ [file]: doc });

describe.skipIf(skip)("never losing state, never duplicating chiclets", () => {
  beforeAll(() => requireTerraform());

  it("syncs IDs such as __proto__ and constructor like any other, and status says so", async () => {
    const harness = await start(workspace("ws-proto", 3));
    await harness.sync();
    expect(harness.appIdByLabel("Brand 0 - Instagram")).toBeDefined();
    expect(harness.appIdByLabel("Brand 1 - Instagram")).toBeDefined();
    expect(harness.dashboards()["user0@ws-proto.example"]).toEqual(["Brand 0 - Instagram", "Brand 1 - Instagram", "Brand 2 - Instagram"]);
    const status = JSON.parse((await harness.cli(["status", "--json"])).stdout);
    expect(Object.keys(status.workspaces[0].accounts).sort()).toEqual(["__proto__", "a-2", "constructor"]);
  }, 180_000);

  it("finds the same state from a sub-folder of the project, so nothing is created twice", async () => {
    const harness = await start(workspace("ws-cwd", 3));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "# project settings\n");
    await harness.sync();
    const apps = harness.emulator.state.apps.size;
    const plan = await harness.cli(["plan"], { cwd: path.join(harness.cwd, "workspaces", "acme") });
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("ws-cwd: no changes");
    expect(harness.emulator.state.apps.size).toBe(apps);
  }, 180_000);

  it("keeps a local state path from cerby-okta.yaml outside the output folder, across any number of plans", async () => {
    const harness = await start(workspace("ws-path", 3));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "backend:\n  type: local\n  path: state/{workspaceId}.tfstate\n");
    await harness.sync();
    expect(existsSync(path.join(harness.cwd, "state", "ws-path.tfstate"))).toBe(true);
    const again = await harness.cli(["plan"]);
    expect(again.exitCode).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(3);
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "backend:\n  type: local\n  path: cdktf.out/{workspaceId}.tfstate\n");
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("puts the state inside the output folder");
  }, 180_000);

  it("refuses a first sync that would duplicate apps already in Okta, and adopts them instead", async () => {
    const harness = await start(workspace("ws-adopt", 4));
    // Apps made before (by hand, by Cerby's own sync, or under a state that was lost).
    const existing = ["Brand 0 - Instagram", "Brand 1 - Instagram"].map((label) => harness.emulator.createBookmarkApp(label, "https://old.example/login"));
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('app "Brand 0 - Instagram" (account __proto__) exists as');
    expect(refused.stderr).toContain("cerby-okta adopt --stack ws-adopt");
    const apply = await harness.cli(["apply"]);
    expect(apply.stderr).toContain("no saved plan");
    expect(harness.emulator.state.apps.size).toBe(2);

    const adopt = await harness.cli(["adopt"]);
    expect(adopt.exitCode).toBe(0);
    expect(adopt.stdout).toContain("will adopt 2 existing Okta objects");
    expect(harness.emulator.state.apps.size).toBe(2);
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain(`<= __proto__: adopt the existing Okta app ${existing[0]!.id} as "Brand 0 - Instagram"`);
    const applied = await harness.cli(["apply"]);
    expect(applied.exitCode).toBe(0);
    // Two adopted (their URL put right), two created: four apps, none twice.
    expect([...harness.emulator.state.apps.values()].map((app) => app.label).sort()).toEqual(["Brand 0 - Instagram", "Brand 1 - Instagram", "Brand 2 - Instagram", "Brand 3 - Instagram"]);
    expect(harness.emulator.state.apps.get(existing[0]!.id)!.url).not.toBe("https://old.example/login");
    expect(harness.dashboards()["user3@ws-adopt.example"]).toHaveLength(4);
    expect((await harness.cli(["plan"])).exitCode).toBe(0);
  }, 240_000);

  it("moves the state to a new backend with migrate-state, checked, instead of failing every plan", async () => {
    const harness = await start(workspace("ws-move", 3));
    await harness.sync();
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "backend:\n  type: local\n  path: moved/{workspaceId}.tfstate\n");
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("cerby-okta migrate-state");
    const moved = await harness.cli(["migrate-state"]);
    expect(moved.stderr).not.toContain("error");
    expect(moved.exitCode).toBe(0);
    expect(moved.stdout).toMatch(/ws-move: state moved from local .* to local moved\/ws-move\.tfstate; checked: \d+ resources, 3 apps/);
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(3);
  }, 240_000);

  it("applies plans made with --out where they were made, and refuses another --out", async () => {
    const harness = await start(workspace("ws-out", 2));
    expect((await harness.cli(["plan", "--out", "elsewhere"])).exitCode).toBe(2);
    const wrong = await harness.cli(["apply", "--out", "cdktf.out"]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain("the saved plans were made for the stacks in");
    const right = await harness.cli(["apply"]);
    expect(right.exitCode).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(2);
  }, 180_000);

  it("refuses to apply a plan whose stack folder changed since (another synth in between)", async () => {
    const harness = await start(workspace("ws-stale", 2));
    expect((await harness.cli(["plan"])).exitCode).toBe(2);
    const doc = workspace("ws-stale", 3);
    await harness.writeFile("acme/workspace.json", JSON.stringify(doc));
    expect((await harness.cli(["synth"])).exitCode).toBe(0);
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("changed since it was planned");
    expect(harness.emulator.state.apps.size).toBe(0);
  }, 180_000);

  it("counts people losing a chiclet as a removal: taking every collaborator away is refused", async () => {
    const harness = await start(workspace("ws-guard", 5));
    await harness.sync();
    const doc = workspace("ws-guard", 5);
    for (const account of doc.accounts) account.grants = account.grants.filter((grant) => grant.role === "owner");
    await harness.writeFile("acme/workspace.json", JSON.stringify(doc));
    expect((await harness.cli(["plan"])).exitCode).toBe(2);
    const review = await harness.cli(["review", "--saved"]);
    expect(review.stdout).toContain("30 of 35 chiclet assignments taken away");
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("takes 30 of 35 chiclet assignments away");
    // Who loses, by login and Cerby ID: a truncated snapshot is recognised by the names.
    expect(apply.stderr).toContain("; among them user0@ws-guard.example (u-0), user1@ws-guard.example (u-1), user2@ws-guard.example (u-2)");
    expect(apply.stderr).toContain(" and 1 more)");
    expect(harness.dashboards()["user0@ws-guard.example"]).toHaveLength(5);
  }, 180_000);

  it("says nothing is to do, with exit 0, when every workspace is switched off", async () => {
    const harness = await start(workspace("ws-off", 2, { extendedAccountAccess: false }));
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).toContain("ws-off: not planned, Extended account access is off");
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(0);
    expect(apply.stderr).toContain("nothing to apply (Extended account access is off for ws-off)");
  }, 120_000);

  it("never replaces a folder it did not make: synth --out . keeps the project", async () => {
    const harness = await start(workspace("ws-dot", 1));
    await writeFile(path.join(harness.cwd, "notes.txt"), "mine");
    const before = (await readdir(harness.cwd)).sort();
    const synth = await harness.cli(["synth", "--out", "."]);
    expect(synth.exitCode).toBe(1);
    expect(synth.stderr).toMatch(/--out \S+ would replace the workspaces folder/);
    expect((await readdir(harness.cwd)).sort()).toEqual(before);
    expect(await readFile(path.join(harness.cwd, "notes.txt"), "utf8")).toBe("mine");
    const inside = await harness.cli(["synth", "--out", "workspaces/out"]);
    expect(inside.exitCode).toBe(1);
    expect(inside.stderr).toContain("is inside the workspaces folder");
    const file = await harness.cli(["synth", "--out", "notes.txt"]);
    expect(file.stderr).toContain("is a file, not a folder");
    const proc = await harness.cli(["synth", "--out", "/proc/cerby-okta-out"]);
    expect(proc.exitCode).toBe(1);
    expect(proc.stderr).not.toContain("internal error");
  }, 60_000);
});
