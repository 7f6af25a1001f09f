// Every app and access group a plan would create is checked against Okta, at
// any sync: each way of getting a state that is behind Okta (issue 20 root 1,
// root 4; issue 15 item 3) ends with one app per account, through the real
// CLI, real Terraform, the stand-in provider and the emulator.
import { execa } from "execa";
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { syncWorkspace } from "../../harness/sync-workspace.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

const skip = shouldSkipTerraformTests();

const workspace = (id: string, accounts: number) => syncWorkspace(id, accounts, { accountId: (index) => (index === 0 ? "__proto__" : `a-${index}`) });

const startHarness = harnessPerTest();
const start = (doc: object) => startHarness({ "acme/workspace.json": doc });

/** Okta's apps by label: each label must be there exactly once. */
const appCounts = (harness: SyncHarness) => {
  const counts: Record<string, number> = {};
  for (const app of harness.emulator.state.apps.values()) counts[app.label] = (counts[app.label] ?? 0) + 1;
  return counts;
};
const once = (labels: string[]) => Object.fromEntries(labels.map((label) => [label, 1]));
const brands = (count: number) => Array.from({ length: count }, (_, index) => `Brand ${index} - Instagram`);

/** `terraform <args>` in a stack folder, as the CLI runs it. */
function terraformIn(harness: SyncHarness, stack: string, args: string[]) {
  return execa("terraform", args, { cwd: path.join(harness.cwd, "cdktf.out", "stacks", stack), env: harness.sandbox.env, extendEnv: false });
}

/** Plans and applies until a plan has nothing to do (at most `runs` times); returns the number of syncs it took. */
async function untilInStep(harness: SyncHarness, runs = 3): Promise<number> {
  for (let run = 1; run <= runs; run++) {
    const plan = await harness.cli(["plan"]);
    if (plan.exitCode === 0) return run;
    if (plan.exitCode !== 2) throw new Error(`plan failed (${plan.exitCode}):\n${plan.stderr}`);
    const apply = await harness.cli(["apply"]);
    if (apply.exitCode !== 0) throw new Error(`apply failed (${apply.exitCode}):\n${apply.stderr}`);
  }
  throw new Error(`still planning changes after ${runs} syncs`);
}

describe.skipIf(skip)("every create is checked against Okta", () => {
  it("takes back an app removed from the state by hand (terraform state rm), at the next change, instead of creating it twice", async () => {
    const harness = await start(workspace("ws-rm", 3));
    await harness.sync();
    const id = harness.appIdByLabel("Brand 2 - Instagram");
    await terraformIn(harness, "ws-rm", ["state", "rm", 'okta_app_bookmark.app["a-2"]']);
    await harness.editFile("acme/workspace.json", (text) => text.replace('"Brand 1"', '"Brand One"'));
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stderr).toContain(`Okta already holds app ${id} "Brand 2 - Instagram" with this account's URL, which no state holds`);
    expect(plan.stdout).toContain(`adopt the existing Okta app ${id}`);
    expect((await harness.cli(["apply"])).exitCode).toBe(0);
    expect(appCounts(harness)).toEqual(once(["Brand 0 - Instagram", "Brand One - Instagram", "Brand 2 - Instagram"]));
    expect(harness.appIdByLabel("Brand 2 - Instagram")).toBe(id);
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
    expect(await untilInStep(harness)).toBe(1);
  }, 240_000);

  it("sees a label differing only in case or spacing as existing, refuses to create it, and adopt takes it", async () => {
    const harness = await start(workspace("ws-case", 3));
    const lookalike = harness.emulator.createBookmarkApp("  brand 1 -   INSTAGRAM ", "https://hand.example/made");
    const refused = await harness.cli(["plan"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`app "Brand 1 - Instagram" (account a-1) exists as ${lookalike.id}`);
    expect(refused.stderr).toContain("cerby-okta adopt --stack ws-case");
    expect(harness.emulator.state.apps.size).toBe(1);
    const adopt = await harness.cli(["adopt"]);
    expect(adopt.exitCode).toBe(0);
    expect(adopt.stdout).toContain(`<= app ${lookalike.id}`);
    expect(adopt.stdout).toMatch(/The next plan reads each adopted object from Okta: \d+ Okta API calls? \(/);
    await untilInStep(harness);
    expect(appCounts(harness)).toEqual(once(brands(3)));
    expect(harness.appIdByLabel("Brand 1 - Instagram")).toBe(lookalike.id);
  }, 240_000);

  it("adopts an access group orphaned by a 500 on the provider's check after its POST, converges, and the third sync plans nothing", async () => {
    const harness = await start(workspace("ws-orphan", 2));
    // The group POST succeeds; the provider's existence check (GET /groups/{id}) gets a 500, never retried: the group is in Okta, not in the state.
    harness.emulator.failNext({ method: "GET", route: "/api/v1/groups/{id}", status: 500 });
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    const failed = await harness.cli(["apply"]);
    expect(failed.exitCode).toBe(1);
    const groups = () => [...harness.emulator.state.groups.values()].map((group) => group.profile.name).filter((name) => name.startsWith("cerby-okta/")).sort();
    expect(groups()).toHaveLength(2);

    const second = await harness.cli(["plan"]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/ws-orphan: Okta already holds the access group cerby-okta\/ws-orphan\/\S+ \(\S+\), which no state holds .*taking it under management \(import\)/);
    expect((await harness.cli(["apply"])).exitCode).toBe(0);
    expect(groups()).toEqual(["cerby-okta/ws-orphan/__proto__", "cerby-okta/ws-orphan/a-1"]);
    expect(appCounts(harness)).toEqual(once(brands(2)));
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
    const third = await harness.cli(["plan"]);
    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain("ws-orphan: no changes");
  }, 240_000);

  it("drops an adoption whose app was deleted in Okta before the plan, with a message, and creates the app once", async () => {
    const harness = await start(workspace("ws-stale", 2));
    const made = harness.emulator.createBookmarkApp("Brand 1 - Instagram", "https://hand.example/made");
    expect((await harness.cli(["adopt"])).exitCode).toBe(0);
    harness.emulator.deleteApp(made.id);
    const plan = await harness.cli(["plan"]);
    expect(plan.stderr).toContain(`ws-stale: 1 object to adopt no longer exists in Okta (deleted since adopt or reshard chose it): app ${made.id} (account a-1)`);
    expect(plan.exitCode).toBe(2);
    expect((await harness.cli(["apply"])).exitCode).toBe(0);
    expect(appCounts(harness)).toEqual(once(brands(2)));
    const adopt = await harness.cli(["adopt"]);
    expect(adopt.stdout).toContain("ws-stale: nothing to adopt (2 apps already managed, 0 to create)");
    expect(await untilInStep(harness)).toBe(1);
  }, 240_000);

  it("after a shard count changed on a runner without status records, neither plan nor adopt takes an app another shard's state holds", async () => {
    const harness = await start(workspace("ws-g", 8));
    // okta/okta 4.20: reshard's printed estimate counts its import calls (src/domain/api-cost.ts importCalls);
    // 6.12's memberships import lists the members once more (docs/okta-provider-6.12.md).
    const release = 'oktaProvider:\n  version: "4.20.0"\n';
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), `shards:\n  ws-g: 2\n${release}`);
    await harness.sync();
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), `shards:\n  ws-g: 4\n${release}`);
    await rm(path.join(harness.cwd, ".cerby-okta", "status"), { recursive: true, force: true });
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(/another stack's state holds for the same account:\n {2}app \S+ "Brand \d - Instagram" of account \S+ is in the state of stack ws-g-s00[01]/);
    expect(plan.stderr).toContain("run `cerby-okta reshard` (with `--from N`");
    const adopt = await harness.cli(["adopt"]);
    expect(adopt.stdout).toMatch(/ws-g-s00[23]: app \S+ "Brand \d - Instagram" matches account \S+, not taken: the state of stack ws-g-s00[01] holds it/);
    expect(appCounts(harness)).toEqual(once(brands(8)));
    const reshard = await harness.cli(["reshard", "--from", "2"]);
    expect(reshard.exitCode).toBe(0);
    expect(reshard.stderr).toMatch(/ws-g: about \d+ accounts? change stacks\. reshard reads only Terraform states \(no Okta request\); the plan after it imports each moved account from Okta: \d+ Okta API calls \(\d+ in \/api\/v1\/apps/);
    // The estimate printed before the reshard is what the plan after it asks of Okta, bucket by bucket.
    const estimate = Object.fromEntries([...reshard.stderr.matchAll(/(\d+) in (\/api\/v1\/[a-z{}/]+)/g)].map((match) => [match[2], Number(match[1])]));
    harness.emulator.resetRequestLog();
    expect((await harness.cli(["plan"])).exitCode).toBe(2);
    const counts = harness.emulator.countsByBucket();
    // The org's apps are listed once for the whole run, not once per shard that imports.
    expect(harness.emulator.requestCount({ method: "GET", route: "/api/v1/apps" })).toBe(1);
    for (const bucket of ["/api/v1/apps", "/api/v1/apps/{id}", "/api/v1/groups", "/api/v1/groups/{id}"]) expect([bucket, counts[bucket] ?? 0]).toEqual([bucket, estimate[bucket] ?? 0]);
    await untilInStep(harness);
    expect(appCounts(harness)).toEqual(once(brands(8)));
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
  }, 300_000);

  it("never takes an app another workspace's state holds (its switch off), nor one this stack manages for another account", async () => {
    const account = (id: string, name: string, extendedAt: string) => ({
      id,
      name,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }],
      okta: { extendedBy: "u-owner", extendedAt },
    });
    const doc = (id: string, on: boolean, accounts: object[]) => ({
      version: 1,
      workspace: { id, name: id, extendedAccountAccess: on, okta: { orgName: "acme", baseUrl: "okta.com" } },
      users: [{ id: "u-owner", email: `owner@${id}.example`, oktaUserId: `00u${id}owner`, workspaceRole: "owner" }],
      accounts,
    });
    const harness = await startHarness({
      "a/workspace.json": doc("ws-a", true, [account("a-1", "Own", "2026-02-01T09:00:00Z")]),
      "b/workspace.json": doc("ws-b", true, [account("b-1", "Shared", "2026-01-01T09:00:00Z")]),
    });
    await harness.sync();
    const shared = harness.appIdByLabel("Shared - Instagram")!;
    const own = harness.appIdByLabel("Own - Instagram")!;

    // ws-b's switch goes off (R1: its app stays in Okta, its state keeps it); ws-a extends an account with the same label.
    await harness.writeFile("b/workspace.json", JSON.stringify(doc("ws-b", false, [account("b-1", "Shared", "2026-01-01T09:00:00Z")])));
    await harness.writeFile(
      "a/workspace.json",
      JSON.stringify(doc("ws-a", true, [account("a-1", "Own", "2026-02-01T09:00:00Z"), account("a-2", "Shared", "2026-03-01T09:00:00Z"), account("a-3", "Third", "2026-03-01T09:00:00Z")])),
    );
    // An admin gives ws-a's own app the label of its new account a-3.
    harness.emulator.renameApp(own, "Third - Instagram");
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(`app "Shared - Instagram" (account a-2) has the label of app ${shared}, which stack ws-b holds (account b-1) and whose workspace's switch is off`);
    const adopt = await harness.cli(["adopt"]);
    expect(adopt.exitCode).toBe(0);
    expect(adopt.stdout).toContain(`ws-a: app ${shared} "Shared - Instagram" matches account a-2, not taken: the state of stack ws-b holds it (account b-1)`);
    expect(adopt.stdout).toContain(`ws-a: app ${own} "Third - Instagram" matches account a-3, not taken: this stack already manages it for account a-1`);
    expect(adopt.stdout).toContain("ws-a: nothing to adopt (1 apps already managed, 2 to create)");
    expect(harness.emulator.state.apps.get(shared)!.label).toBe("Shared - Instagram");
    expect(harness.emulator.state.apps.size).toBe(2);
  }, 240_000);

  it("refuses a truncated local state before planning, naming it and its backup; restored from the backup, nothing is created twice", async () => {
    const harness = await start(workspace("ws-cut", 3));
    await harness.sync();
    await harness.editFile("acme/workspace.json", (text) => text.replace('"Brand 1"', '"Brand One"'));
    await harness.sync();
    const file = path.join(harness.cwd, "terraform.ws-cut.tfstate");
    // What kill -9 during Terraform's state write leaves: the file cut to 0 bytes.
    await writeFile(file, "");
    // --all: the plan skip (a stack unchanged since its last apply) is not what this test is about.
    const empty = await harness.cli(["plan", "--all"]);
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toContain(`ws-cut: the state file ${file} is empty (0 bytes)`);
    expect(empty.stderr).toContain(`cp ${JSON.stringify(`${file}.backup`)} ${JSON.stringify(file)}`);
    expect(empty.stderr).toContain("never created twice");
    await writeFile(file, '{"version": 4, "serial": 3, "resources": [');
    expect((await harness.cli(["plan", "--all"])).stderr).toContain("is not valid JSON");
    expect(await readFile(file, "utf8")).toBe('{"version": 4, "serial": 3, "resources": [');

    // The backup is a state from before the last write; whatever it lacks is found in Okta.
    await copyFile(`${file}.backup`, file);
    await untilInStep(harness);
    expect(appCounts(harness)).toEqual(once(["Brand 0 - Instagram", "Brand One - Instagram", "Brand 2 - Instagram"]));
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
  }, 300_000);
});
