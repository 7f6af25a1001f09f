// Taking a workspace out of Okta on purpose, end to end: the real CLI, real
// Terraform, the stand-in provider and the Okta emulator. R1 keeps the apps
// when the switch goes off; `remove-workspace` removes them, only when asked
// twice (--apply, then a confirmation), and touches no other workspace.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";

const repo = path.resolve(import.meta.dirname, "../..");

describe.skipIf(shouldSkipTerraformTests())("remove-workspace", () => {
  let harness: SyncHarness;
  /** Okta app ID -> label, of each workspace, once synced. */
  const apps = new Map<string, Map<string, string>>();

  const appsNow = () => new Map([...harness.emulator.state.apps.values()].map((app) => [app.id, app.label]));
  const accessGroupsOf = (workspaceId: string) => [...harness.emulator.state.groups.values()].filter((group) => group.profile.name.startsWith(`cerby-okta/${workspaceId}/`)).map((group) => group.id);

  beforeAll(async () => {
    requireTerraform();
    harness = await SyncHarness.start(path.join(repo, "workspaces"));
    await harness.sync();
    const status = JSON.parse((await harness.cli(["status", "--json"])).stdout) as { workspaces: { workspaceId: string; accounts: Record<string, { label: string }> }[] };
    const okta = appsNow();
    for (const workspace of status.workspaces) {
      const labels = new Set(Object.values(workspace.accounts).map((account) => account.label));
      apps.set(workspace.workspaceId, new Map([...okta].filter(([, label]) => labels.has(label))));
    }
  }, 240_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it("refuses a workspace whose switch is still on, and one that does not exist", async () => {
    const on = await harness.cli(["remove-workspace", "ws-acme-eu"]);
    expect(on.exitCode).toBe(1);
    expect(on.stderr).toContain("ws-acme-eu: Extended account access is still on, so the next plan would create every app again");
    const unknown = await harness.cli(["remove-workspace", "ws-nope"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no workspace "ws-nope"');
  }, 60_000);

  it("with the switch off, plans the removal and names who loses what, changing nothing", async () => {
    expect(apps.get("ws-acme-eu")!.size).toBeGreaterThan(0);
    expect(accessGroupsOf("ws-acme-eu").length).toBeGreaterThan(0);
    await harness.editFile("acme-eu/snapshot.json", (text) => text.replace('"extendedAccountAccess": true', '"extendedAccountAccess": false'));
    const before = appsNow();
    const plan = await harness.cli(["remove-workspace", "ws-acme-eu"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toMatch(/- a-eu-contentzilla: remove chiclet "Contentzilla - Instagram \(3\)"/);
    expect(plan.stdout).toMatch(/- u-greta no longer sees /);
    expect(plan.stdout).toContain("nothing was changed: to remove these from Okta, run `cerby-okta remove-workspace ws-acme-eu --apply`");
    expect(appsNow()).toEqual(before);
    // Without a terminal, --apply alone cannot ask: it changes nothing either.
    const unconfirmed = await harness.cli(["remove-workspace", "ws-acme-eu", "--apply"]);
    expect(unconfirmed.exitCode).toBe(1);
    expect(unconfirmed.stderr).toContain("pass --yes to confirm (CI)");
    expect(appsNow()).toEqual(before);
  }, 180_000);

  it("with --apply --yes removes every app and access group of it, and nothing of the other workspaces", async () => {
    const removed = await harness.cli(["remove-workspace", "ws-acme-eu", "--apply", "--yes"]);
    expect(removed.stderr).not.toMatch(/error/i);
    expect(removed.exitCode).toBe(0);
    const okta = appsNow();
    for (const id of apps.get("ws-acme-eu")!.keys()) expect(okta.has(id)).toBe(false);
    expect(accessGroupsOf("ws-acme-eu")).toEqual([]);
    for (const [id, label] of apps.get("ws-acme")!) expect(okta.get(id)).toBe(label);
    expect(accessGroupsOf("ws-acme").length).toBeGreaterThan(0);
  }, 180_000);

  it("afterwards status shows it removed, plan changes nothing, and a second removal finds nothing", async () => {
    const status = await harness.cli(["status"]);
    expect(status.stdout).toMatch(/Workspace ws-acme-eu: removed from Okta at \d{4}-\d\d-\d\dT/);
    const json = JSON.parse((await harness.cli(["status", "--json"])).stdout) as { workspaces: { workspaceId: string; removedAt?: string }[] };
    expect(json.workspaces.find((workspace) => workspace.workspaceId === "ws-acme-eu")?.removedAt).toBeDefined();
    expect(json.workspaces.find((workspace) => workspace.workspaceId === "ws-acme")?.removedAt).toBeUndefined();
    const before = appsNow();
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    const again = await harness.cli(["remove-workspace", "ws-acme-eu", "--apply", "--yes"]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("ws-acme-eu: nothing of it is in Okta; nothing to remove");
    expect(appsNow()).toEqual(before);
  }, 180_000);
});

describe.skipIf(shouldSkipTerraformTests())("remove-workspace of a sharded workspace", () => {
  let harness: SyncHarness;
  afterAll(async () => {
    await harness?.stop();
  });

  it("removes what every shard holds, and only that", async () => {
    requireTerraform();
    harness = await SyncHarness.start(path.join(repo, "workspaces"));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "shards: { ws-acme: 2 }\n");
    await harness.sync();
    const labels = () => [...harness.emulator.state.apps.values()].map((app) => app.label).sort();
    const status = JSON.parse((await harness.cli(["status", "--json"])).stdout) as { workspaces: { workspaceId: string; accounts: Record<string, { label: string }> }[] };
    const labelsOf = (id: string) => Object.values(status.workspaces.find((workspace) => workspace.workspaceId === id)!.accounts).map((account) => account.label).sort();
    expect(labelsOf("ws-acme").length).toBeGreaterThan(1);
    expect(labels()).toEqual([...labelsOf("ws-acme"), ...labelsOf("ws-acme-eu")].sort());
    await harness.editFile("acme/workspace.yaml", (text) => text.replace("extendedAccountAccess: true", "extendedAccountAccess: false"));
    const removed = await harness.cli(["remove-workspace", "ws-acme", "--apply", "--yes"]);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain("ws-acme: removed from Okta (ws-acme-s000, ws-acme-s001)");
    expect(labels()).toEqual(labelsOf("ws-acme-eu"));
    expect((await harness.cli(["status"])).stdout).toMatch(/Workspace ws-acme: removed from Okta at /);
  }, 300_000);
});
