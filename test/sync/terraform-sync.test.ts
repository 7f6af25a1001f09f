// The whole loop, offline: cerby-okta plan/apply/reconcile run the real
// `terraform` with the stand-in okta/okta provider against the Okta emulator,
// and every person's dashboard (appLinks) is checked against `preview`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { harnessForAll } from "../support/sync-harnesses.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const skip = shouldSkipTerraformTests();

describe.skipIf(skip)("syncing the example workspaces through Terraform", () => {
  const harness = harnessForAll(path.join(repo, "workspaces"));

  const expectDashboardsToMatchPreview = async () => expect(harness.dashboards()).toEqual(await harness.expectedDashboards());

  it("plans the first sync with exit code 2 and lists the chiclets in Okta terms", async () => {
    const plan = await harness.cli(["plan", "--json", "plan.json"]);
    expect(plan.stderr).not.toContain("error");
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ a-contentzilla: new chiclet "Contentzilla - Instagram"');
    expect(plan.stdout).toContain('+ carol@agency.example (u-carol) sees "Contentzilla - Instagram"');
    const report = JSON.parse(await readFile(path.join(harness.cwd, "plan.json"), "utf8"));
    expect(report.stacks.map((stack: { stack: string }) => stack.stack)).toEqual(["ws-acme", "ws-acme-eu"]);
    expect(report.stacks[0].counts.okta_app_bookmark).toEqual({ create: 3 });
  }, 120_000);

  it("applies the saved plan, after which every dashboard matches the preview", async () => {
    const apply = await harness.cli(["apply"]);
    expect(apply.stderr).toMatch(/ws-acme: \d+\/\d+ applied/);
    expect(apply.exitCode).toBe(0);
    await expectDashboardsToMatchPreview();
    expect(harness.dashboards()["carol@agency.example"]).toEqual(["Contentzilla - Instagram"]);
    expect(harness.dashboards()["erin@acme.example"]).toEqual([]);
  }, 120_000);

  it("finds nothing to do right after (exit 0) and records the sync status", async () => {
    // Every stack is what its apply applied: no Terraform runs at all.
    const plan = await harness.cli(["plan", "--verbose"]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).toMatch(/(\d+) of \1 stacks unchanged since the last apply: not planned/);
    expect(plan.stderr).not.toContain("Terraform has been successfully initialized");
    // --all runs Terraform, which agrees (its init skipped: the stack folder is as the apply's init left it).
    const all = await harness.cli(["plan", "--all", "--verbose"]);
    expect(all.exitCode).toBe(0);
    expect(all.stderr).toMatch(/Plan: 0 to add, 0 to change, 0 to destroy|No changes/);
    expect(all.stderr).not.toContain("Terraform has been successfully initialized");
    expect(all.stdout).toContain("ws-acme: no changes");
    const status = await harness.cli(["status", "--json"]);
    const document = JSON.parse(status.stdout);
    expect(document.workspaces[0].accounts["a-contentzilla"]).toMatchObject({
      label: "Contentzilla - Instagram",
      extendedBy: "u-alice",
      extendedAt: "2026-02-01T09:00:00Z",
    });
    expect(Date.parse(document.workspaces[0].accounts["a-contentzilla"].lastSyncedAt)).toBeGreaterThan(Date.now() - 600_000);
  }, 120_000);

  it("applies a saved plan once only: a second apply needs a new plan", async () => {
    const first = await harness.cli(["apply"]);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain("ws-acme: nothing to apply");
    const second = await harness.cli(["apply"]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain("no saved plan");
  }, 60_000);

  it("says so clearly when the Terraform binary cannot be run", async () => {
    const plan = await harness.cli(["plan", "--all", "--terraform-binary", "no-such-tofu"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain("cannot run no-such-tofu: not found on PATH (set --terraform-binary or TERRAFORM_BINARY_NAME)");
  }, 60_000);

  it("gives a new direct grant the chiclet", async () => {
    await harness.editFile("acme/accounts.yaml", (text) =>
      text.replace("      - { user: u-dave, role: collaborator }", "      - { user: u-dave, role: collaborator }\n      - { user: u-frank, role: collaborator }"),
    );
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('+ frank@acme.example (u-frank) sees "Contentzilla - Instagram (2)"');
    await expectDashboardsToMatchPreview();
    expect(harness.dashboards()["frank@acme.example"]).toContain("Contentzilla - Instagram (2)");
  }, 120_000);

  it("takes the chiclet away when a grant becomes manager", async () => {
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("{ user: u-dave, role: collaborator }", "{ user: u-dave, role: manager }"));
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('- dave@acme.example (u-dave) no longer sees "Contentzilla - Instagram (2)"');
    await expectDashboardsToMatchPreview();
    expect(harness.dashboards()["dave@acme.example"]).toEqual([]);
  }, 120_000);

  it("takes the chiclet away when a grant is removed", async () => {
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("\n      - { user: u-frank, role: collaborator }", ""));
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('- frank@acme.example (u-frank) no longer sees "Contentzilla - Instagram (2)"');
    await expectDashboardsToMatchPreview();
    expect(harness.dashboards()["frank@acme.example"]).not.toContain("Contentzilla - Instagram (2)");
  }, 120_000);

  it("follows a self-managed team's membership", async () => {
    await harness.editFile("acme/workspace.yaml", (text) => text.replace("members: [u-carol, u-erin]", "members: [u-erin, u-bob]"));
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('- carol@agency.example (u-carol) no longer sees "Contentzilla - Instagram"');
    expect(plan.stdout).toContain('+ bob@acme.example (u-bob) sees "Contentzilla - Instagram"');
    await expectDashboardsToMatchPreview();
  }, 120_000);

  it("relabels a renamed account in place: same Okta app ID", async () => {
    const before = harness.appIdByLabel("Vendor Portal - Salesforce");
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("name: Vendor Portal", "name: Supplier Portal"));
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('~ a-vendor-portal: relabel "Vendor Portal - Salesforce" -> "Supplier Portal - Salesforce"');
    expect(harness.appIdByLabel("Supplier Portal - Salesforce")).toBe(before);
    await expectDashboardsToMatchPreview();
  }, 120_000);

  it("delivers hostile names to Okta exactly as typed", async () => {
    const hostile = 'Promo ${file("/etc/hostname")} %{ if true }x%{ endif } "q" ${TfToken[TOKEN.1]}';
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("name: Supplier Portal", `name: ${JSON.stringify(hostile)}`));
    await harness.sync();
    expect(harness.appIdByLabel(`${hostile} - Salesforce`)).toBeDefined();
    await expectDashboardsToMatchPreview();
  }, 120_000);

  it("guards against a truncated snapshot: apply refuses and changes nothing", async () => {
    const snapshot = JSON.parse(await readFile(path.join(harness.cwd, "workspaces/acme-eu/snapshot.json"), "utf8"));
    snapshot.accounts = [];
    await harness.writeFile("acme-eu/snapshot.json", JSON.stringify(snapshot));
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('- a-eu-contentzilla: remove chiclet "Contentzilla - Instagram (3)"');
    const requestsBefore = harness.emulator.requests.length;
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("removes or replaces 1 of 1 Okta apps (100%)");
    expect(apply.stderr).toContain("--allow-destroy");
    expect(harness.emulator.requests.length).toBe(requestsBefore);
    expect(harness.appIdByLabel("Contentzilla - Instagram (3)")).toBeDefined();
  }, 120_000);

  it("removes an account's app when its removal is confirmed with --allow-destroy", async () => {
    await harness.sync(["--allow-destroy"]);
    expect(harness.appIdByLabel("Contentzilla - Instagram (3)")).toBeUndefined();
    await expectDashboardsToMatchPreview();
  }, 120_000);

  it("takes every chiclet from a user suspended in Okta (R7)", async () => {
    await harness.editFile("acme/workspace.yaml", (text) =>
      text.replace("    oktaUserId: 00u1bob\n    workspaceRole: user", "    oktaUserId: 00u1bob\n    workspaceRole: user\n    oktaStatus: SUSPENDED"),
    );
    const { plan } = await harness.sync();
    expect(plan.stdout).toMatch(/- bob@acme\.example \(u-bob\) no longer sees/);
    const bobGroups = [...harness.emulator.state.groupMembers.entries()].filter(([, members]) => members.has("00u1bob"));
    expect(bobGroups).toEqual([]);
  }, 120_000);

  it("reports drift made in the Okta console (exit 2) and --apply undoes it", async () => {
    const appId = harness.appIdByLabel("Contentzilla - Instagram")!;
    harness.emulator.renameApp(appId, "Renamed in the console");
    const report = path.join(harness.cwd, "reconcile.json");
    const found = await harness.cli(["reconcile", "--json", report]);
    expect(found.exitCode).toBe(2);
    expect(found.stdout).toContain('relabel "Renamed in the console" -> "Contentzilla - Instagram"');
    expect(JSON.parse(await readFile(report, "utf8")).stacks[0].drift.length).toBeGreaterThan(0);
    const fixed = await harness.cli(["reconcile", "--apply"]);
    expect(fixed.exitCode).toBe(2);
    expect(harness.emulator.state.apps.get(appId)!.label).toBe("Contentzilla - Instagram");
    const after = await harness.cli(["reconcile"]);
    expect(after.exitCode).toBe(0);
  }, 180_000);

  it("writes a pull-request review in Markdown with a loud warning for removals", async () => {
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("  - id: a-contentzilla-backup", "  - id: a-contentzilla-backup-gone"));
    const review = await harness.cli(["review"]);
    expect(review.exitCode).toBe(0);
    expect(review.stdout).toContain("> [!WARNING]");
    expect(review.stdout).toContain("> - a-contentzilla-backup: Contentzilla - Instagram (2) (remove)");
    expect(review.stdout).toMatch(/\| ws-acme \| `okta_app_bookmark` \| 1 \| 0 \| 1 \| 0 \| 0 \|/);
  }, 120_000);
});
