// A real org churns: people are deleted, logins change, an admin deletes an
// IdP team group, a leaver's chiclets are spread over shards. End to end
// through the CLI, real Terraform, the strict stand-in provider and the
// emulator, three syncs in a row each: every person's dashboard, the exit
// codes, the warnings, and a third sync that plans nothing.
import { rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncHarness } from "../../harness/sync-harness.ts";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import type { WorkspaceDocument as Doc } from "../../harness/workspace-fixture.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";
import { shardOf } from "../../src/stack/shards.ts";

const extended = { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" };

function churnWorkspace(): Doc {
  return {
    version: 1,
    workspace: { id: "ws-churn", name: "Churn", extendedAccountAccess: true, okta: { orgName: "churn", baseUrl: "okta.com" } },
    users: [
      { id: "u-alice", email: "alice@churn.example", oktaUserId: "00u1alice", workspaceRole: "owner" },
      { id: "u-bob", email: "bob@churn.example", oktaUserId: "00u1bob", workspaceRole: "user" },
      { id: "u-carol", email: "carol@churn.example", oktaUserId: "00u1carol", workspaceRole: "user" },
      { id: "u-dave", email: "dave@churn.example", oktaUserId: "00u1dave", workspaceRole: "user" },
      { id: "u-erin", email: "erin@churn.example", workspaceRole: "user" },
    ],
    teams: [{ id: "t-idp", name: "Marketing (IdP)", oktaGroupId: "00g1idp", members: ["u-carol"] }],
    accounts: [{ id: "a-base", name: "Base", app: "Portal", grants: [{ user: "u-alice", role: "owner" }], okta: extended }],
  };
}

const skip = shouldSkipTerraformTests();

describe.skipIf(skip)("a churning Okta org: no stack stuck on every run, no access lost on a lookup miss", () => {
  const startHarness = harnessPerTest();
  let harness: SyncHarness | undefined;
  let doc: Doc;

  async function start(workspace: Doc, config?: string): Promise<SyncHarness> {
    doc = workspace;
    harness = await startHarness({ "churn/workspace.json": doc }, { config });
    return harness;
  }
  const write = () => harness!.writeFile("churn/workspace.json", JSON.stringify(doc, null, 2));
  const expectDashboardsRight = async () => expect(harness!.dashboards()).toEqual(await harness!.expectedDashboards());
  /** plan then apply, with the exit codes a CI job sees. */
  async function sync(expected: { plan: 0 | 2; apply?: 0 | 1 }, applyArgs: string[] = []) {
    const plan = await harness!.cli(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(expected.plan);
    const apply = await harness!.cli(["apply", ...applyArgs]);
    expect(apply.exitCode, apply.stderr).toBe(expected.apply ?? 0);
    return { plan, apply };
  }

  it("leaves a person deleted in Okta out, names them, and everyone after them sees the chiclet", async () => {
    const h = await start(churnWorkspace());
    await sync({ plan: 2 });
    h.emulator.state.users.delete("00u1bob");
    doc.accounts.push({
      id: "a-vault",
      name: "Shared",
      app: "Vault",
      grants: ["u-alice", "u-bob", "u-carol", "u-dave"].map((user) => ({ user, role: user === "u-alice" ? "owner" : "collaborator" })),
      okta: extended,
    });
    await write();
    const bobWaits =
      'bob@churn.example (u-bob): Okta has no user 00u1bob (deleted in Okta, or a wrong oktaUserId) and finds nobody by login: "Shared - Vault" (account a-vault) waits for them; set their current oktaUserId in Cerby, or remove their grants';

    const first = await sync({ plan: 2 });
    expect(first.plan.stdout).toContain(bobWaits);
    expect(first.plan.stdout).toContain('+ carol@churn.example (u-carol) sees "Shared - Vault"');
    expect(first.plan.stdout).toContain('+ dave@churn.example (u-dave) sees "Shared - Vault"');
    expect(first.plan.stdout).not.toContain("u-bob sees");
    expect(first.plan.stdout).not.toContain("u-bob: Okta found nobody"); // said once, by the warning
    expect(first.apply.stderr).not.toContain("already gone from Okta");
    await expectDashboardsRight();
    for (const person of ["alice", "carol", "dave"]) expect(h.dashboards()[`${person}@churn.example`]).toContain("Shared - Vault");
    // Bob's ID never reached Terraform: no PUT of anyone answered 404.
    expect(h.emulator.requestCount((request) => request.method === "PUT" && request.status === 404)).toBe(0);

    for (let run = 2; run <= 3; run++) {
      const again = await sync({ plan: 0 });
      expect(again.plan.stdout).toContain("ws-churn: no changes");
      expect(again.plan.stdout).toContain(bobWaits);
      expect(again.apply.stderr).not.toMatch(/error/i);
      await expectDashboardsRight();
    }
  }, 240_000);

  it("tells a person deleted between plan and apply from a console deletion, names them, and the next sync adds everyone else", async () => {
    const h = await start(churnWorkspace());
    await sync({ plan: 2 });
    doc.accounts.push({
      id: "a-vault",
      name: "Shared",
      app: "Vault",
      grants: ["u-alice", "u-bob", "u-carol", "u-dave"].map((user) => ({ user, role: user === "u-alice" ? "owner" : "collaborator" })),
      okta: extended,
    });
    await write();
    expect((await h.cli(["plan"])).exitCode).toBe(2);
    h.emulator.state.users.delete("00u1bob");
    const apply = await h.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("Okta has no user 00u1bob (bob@churn.example (u-bob)): deleted in Okta, or a wrong oktaUserId. Recorded: the next `cerby-okta plan` leaves them out");
    expect(apply.stderr).not.toContain("already gone from Okta");
    expect(apply.stderr).toContain('bob@churn.example (u-bob) should see "Shared - Vault" (account a-vault) but is not in its access group in Okta');
    expect(apply.stderr).not.toMatch(/u-(alice|carol|dave) is in the access group .* but should not be/);

    const second = await sync({ plan: 2 });
    expect(second.plan.stdout).toContain("bob@churn.example (u-bob): Okta has no user 00u1bob");
    await expectDashboardsRight();
    for (const person of ["alice", "carol", "dave"]) expect(h.dashboards()[`${person}@churn.example`]).toContain("Shared - Vault");
    const third = await sync({ plan: 0 });
    expect(third.plan.stdout).toContain("ws-churn: no changes");
    await expectDashboardsRight();
  }, 240_000);

  /** erin (looked up by login) sees Base and Wiki after a sync; then a domain migration renames her login in Okta, while the workspace still says erin@churn.example. */
  async function erinSyncedThenRenamed() {
    const h = await start(churnWorkspace());
    doc.accounts[0]!.grants.push({ user: "u-erin", role: "collaborator" });
    doc.accounts.push({ id: "a-wiki", name: "Wiki", app: "Confluence", grants: [{ user: "u-alice", role: "owner" }, { user: "u-erin", role: "collaborator" }], okta: extended });
    await write();
    await sync({ plan: 2 });
    expect(h.dashboards()["erin@churn.example"]).toEqual(["Base - Portal", "Wiki - Confluence"]);
    const erin = h.emulator.findUserByLogin("erin@churn.example")!;
    erin.profile.login = "erin@churn-new.example";
    return { h, erin };
  }

  it("holds the access of a person whose login changed between two plans, and says so", async () => {
    const { h, erin } = await erinSyncedThenRenamed();
    doc.accounts[0]!.grants.push({ user: "u-dave", role: "collaborator" });
    await write();
    const held = `u-erin: held: login no longer matches erin@churn.example; was ${erin.id}. They keep "Base - Portal" (account a-base), "Wiki - Confluence" (account a-wiki); fix their email in Cerby, or set oktaUserId`;

    const first = await sync({ plan: 2 });
    expect(first.plan.stdout).toContain(held);
    expect(first.plan.stdout).toContain('+ dave@churn.example (u-dave) sees "Base - Portal"');
    expect(first.plan.stdout).not.toContain("no longer sees");
    expect(h.dashboards()["erin@churn-new.example"]).toEqual(["Base - Portal", "Wiki - Confluence"]);
    expect(h.dashboards()["dave@churn.example"]).toEqual(["Base - Portal"]);

    for (let run = 2; run <= 3; run++) {
      const again = await sync({ plan: 0 });
      expect(again.plan.stdout).toContain("ws-churn: no changes");
      expect(again.plan.stdout).toContain(held);
      expect(h.dashboards()["erin@churn-new.example"]).toEqual(["Base - Portal", "Wiki - Confluence"]);
    }
  }, 240_000);

  it("holds a login that stopped matching on a machine that never saw it resolve (a fresh CI runner sharing the state)", async () => {
    const { h, erin } = await erinSyncedThenRenamed();

    // Another machine: the same workspace and states (the backend), but none of this machine's output or records.
    await rm(path.join(h.cwd, ".cerby-okta"), { recursive: true, force: true });
    await rm(path.join(h.cwd, "cdktf.out"), { recursive: true, force: true });
    doc.accounts[0]!.grants.push({ user: "u-dave", role: "collaborator" });
    await write();
    const { plan } = await sync({ plan: 2 });
    expect(plan.stdout).toContain(`u-erin: held: login no longer matches erin@churn.example; was ${erin.id}.`);
    expect(plan.stdout).not.toContain("no longer sees");
    expect(h.dashboards()["erin@churn-new.example"]).toEqual(["Base - Portal", "Wiki - Confluence"]);
    expect(h.dashboards()["dave@churn.example"]).toEqual(["Base - Portal"]);
    const again = await sync({ plan: 0 });
    expect(again.plan.stdout).toContain("ws-churn: no changes");
  }, 240_000);

  it("leaves a deleted IdP team group out, names the team, and direct viewers see the new chiclet", async () => {
    const h = await start(churnWorkspace());
    await sync({ plan: 2 });
    h.emulator.state.groups.delete("00g1idp");
    h.emulator.state.groupMembers.delete("00g1idp");
    doc.accounts.push({
      id: "a-ads",
      name: "Ads",
      app: "Meta",
      grants: [{ user: "u-alice", role: "owner" }, { user: "u-dave", role: "collaborator" }, { team: "t-idp", role: "collaborator" }],
      okta: extended,
    });
    await write();
    const teamWarning =
      'team "Marketing (IdP)" (t-idp) in workspace ws-churn: Okta has no group 00g1idp (deleted in Okta, or a wrong oktaGroupId); left out of "Ads - Meta" (account a-ads), which its direct viewers still see';

    const first = await sync({ plan: 2 });
    expect(first.plan.stdout).toContain(teamWarning);
    expect(first.plan.stdout).toContain('+ dave@churn.example (u-dave) sees "Ads - Meta"');
    expect(h.dashboards()["dave@churn.example"]).toEqual(["Ads - Meta"]);
    expect(h.dashboards()["alice@churn.example"]).toEqual(["Ads - Meta", "Base - Portal"]);
    expect(h.emulator.requestCount((request) => request.method === "PUT" && request.status === 404)).toBe(0);
    await expectDashboardsRight();

    for (let run = 2; run <= 3; run++) {
      const again = await sync({ plan: 0 });
      expect(again.plan.stdout).toContain("ws-churn: no changes");
      expect(again.plan.stdout).toContain(teamWarning);
      await expectDashboardsRight();
    }
  }, 240_000);

  it("counts lost access across every shard of the run: a leaver's chiclets spread over shards trip the destroy guard", async () => {
    const workspace = churnWorkspace();
    workspace.accounts = Array.from({ length: 24 }, (_, index) => ({
      id: `a-${String(index).padStart(2, "0")}`,
      name: `Account ${index}`,
      app: "Portal",
      grants: [{ user: "u-alice", role: "owner" }, { user: "u-bob", role: "collaborator" }, { user: "u-carol", role: "collaborator" }],
      okta: extended,
    }));
    // Each shard alone stays under its own limits (at most 10 of its pairs lost): only the run's total is over.
    const perShard = [0, 1, 2, 3].map((shard) => workspace.accounts.filter((account) => shardOf(account.id, 4) === shard).length);
    expect(Math.max(...perShard)).toBeLessThanOrEqual(10);
    const h = await start(workspace, "shards:\n  ws-churn: 4\n");
    await sync({ plan: 2 });
    expect(h.dashboards()["bob@churn.example"]).toHaveLength(24);

    doc.accounts = doc.accounts.map((account) => ({ ...account, grants: account.grants.filter((grant) => grant.user !== "u-bob") }));
    await write();
    const refused = await sync({ plan: 2, apply: 1 });
    expect(refused.apply.stderr).toContain("apply refused, nothing was changed");
    expect(refused.apply.stderr).toContain("the run, across 4 of 4 stacks, takes 24 of 72 chiclet assignments away from people or IdP groups (33%)");
    expect(refused.apply.stderr).toContain("most affected: u-bob (24)");
    expect(refused.apply.stderr).not.toMatch(/stack ws-churn-s00\d: the plan/);
    expect(h.dashboards()["bob@churn.example"]).toHaveLength(24);

    const confirmed = await h.cli(["apply", "--allow-destroy"]);
    expect(confirmed.exitCode, confirmed.stderr).toBe(0);
    expect(h.dashboards()["bob@churn.example"]).toEqual([]);
    await expectDashboardsRight();

    const third = await sync({ plan: 0 });
    expect(third.plan.stdout).not.toContain(": changes");
    await expectDashboardsRight();
  }, 400_000);
});
