// The ways okta/okta fails against a real org, end to end through the CLI,
// real Terraform, the strict stand-in provider and the emulator: each
// scenario ends with every person's dashboard right and the exit codes a CI
// job can trust. Every scenario runs against the default release (6.12.0);
// those where the releases differ (#1885's deletion order, the bookmark's
// create, update and delete) run against 4.20.0 too.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncHarness } from "../../harness/sync-harness.ts";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import type { WorkspaceDocument as Doc } from "../../harness/workspace-fixture.ts";
import { DEFAULT_OKTA_PROVIDER_VERSION } from "../../src/config/okta-provider-version.ts";
import { harnessForAll, harnessPerTest, type HarnessOptions } from "../support/sync-harnesses.ts";

function safeWorkspace(rateLimit?: Record<string, number>): Doc {
  const extended = { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" };
  return {
    version: 1,
    workspace: {
      id: "ws-safe",
      name: "Safe",
      extendedAccountAccess: true,
      okta: { orgName: "safe", baseUrl: "okta.com", ...(rateLimit ? { rateLimit } : {}) },
    },
    users: [
      { id: "u-alice", email: "alice@safe.example", oktaUserId: "00u1alice", workspaceRole: "owner" },
      { id: "u-bob", email: "bob@safe.example", oktaUserId: "00u1bob", workspaceRole: "user" },
      { id: "u-carol", email: "carol@safe.example", oktaUserId: "00u1carol", workspaceRole: "user" },
      { id: "u-dan", email: "dan@safe.example", workspaceRole: "user" },
    ],
    teams: [{ id: "t-idp", name: "Marketing (IdP)", oktaGroupId: "00g1idp", members: ["u-alice"] }],
    accounts: [
      {
        id: "a-insta",
        name: "Contentzilla",
        app: "Instagram",
        grants: [
          { user: "u-alice", role: "owner" },
          { user: "u-bob", role: "collaborator" },
          { team: "t-idp", role: "collaborator" },
        ],
        okta: extended,
      },
      { id: "a-tiktok", name: "Contentzilla", app: "TikTok", grants: [{ user: "u-alice", role: "owner" }, { user: "u-carol", role: "collaborator" }], okta: extended },
      { id: "a-portal", name: "Vendor Portal", app: "Salesforce", grants: [{ user: "u-alice", role: "owner" }, { team: "t-idp", role: "collaborator" }], okta: extended },
    ],
  };
}

const skip = shouldSkipTerraformTests();

describe.skipIf(skip).each([DEFAULT_OKTA_PROVIDER_VERSION, "4.20.0"] as const)("surviving okta/okta %s against a strict stand-in", (providerVersion) => {
  /** Scenarios where 4.20.0 and 6.12.0 behave alike run once, against the default release. */
  const sameOnBoth = providerVersion !== DEFAULT_OKTA_PROVIDER_VERSION;
  const doc = safeWorkspace();
  const write = () => harness.writeFile("safe/workspace.json", JSON.stringify(doc, null, 2));
  const account = (id: string) => doc.accounts.find((candidate) => candidate.id === id)!;
  const expectDashboardsRight = async () => expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
  const harness = harnessForAll(
    { "safe/workspace.json": doc },
    {
      providerVersion,
      prepare: async (started) => {
        await started.sync();
        expect(started.dashboards()).toEqual(await started.expectedDashboards());
      },
    },
  );

  it("keeps an account extended when its last direct viewer goes and only an IdP team sees it (upstream #1885)", async () => {
    account("a-insta").grants = account("a-insta").grants.filter((grant) => grant.user !== "u-bob");
    await write();
    const { plan, apply } = await harness.sync();
    expect(plan.stdout).toContain('- bob@safe.example (u-bob) no longer sees "Contentzilla - Instagram"');
    expect(apply.exitCode).toBe(0);
    // No group was deleted while an app still held it, so no 404 anywhere.
    expect(harness.emulator.requestCount((request) => request.status === 404)).toBe(0);
    await expectDashboardsRight();
    expect(harness.dashboards()["bob@safe.example"]).toEqual([]);
  }, 120_000);

  it.skipIf(sameOnBoth)("replaces a team grant by direct grants (the reverse transition)", async () => {
    account("a-portal").grants = [{ user: "u-alice", role: "owner" }, { user: "u-bob", role: "collaborator" }, { user: "u-carol", role: "collaborator" }];
    await write();
    const { plan } = await harness.sync();
    expect(plan.stdout).toContain('- Marketing (IdP) (00g1idp) no longer sees "Vendor Portal - Salesforce"');
    expect(plan.stdout).toContain('+ bob@safe.example (u-bob) sees "Vendor Portal - Salesforce"');
    expect(harness.emulator.requestCount((request) => request.status >= 400)).toBe(0);
    await expectDashboardsRight();
  }, 120_000);

  it.skipIf(sameOnBoth)("catches a membership change Okta refused although Terraform said it applied (upstream #2359), and the next sync puts it right", async () => {
    account("a-tiktok").grants.push({ user: "u-bob", role: "collaborator" });
    await write();
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    harness.emulator.failNext({ method: "PUT", route: "/api/v1/groups/{id}/users/{uid}", status: 403, errorSummary: "You do not have permission to perform the requested action" });
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("Okta still differs from the plan");
    expect(apply.stderr).toContain('bob@safe.example (u-bob) should see "Contentzilla - TikTok" (account a-tiktok) but is not in its access group in Okta');
    expect(harness.dashboards()["bob@safe.example"]).not.toContain("Contentzilla - TikTok");
    // The state now says what Okta holds: an ordinary incremental sync adds bob.
    const { plan: again } = await harness.sync();
    expect(again.stdout).toContain('+ bob@safe.example (u-bob) sees "Contentzilla - TikTok"');
    await expectDashboardsRight();
  }, 180_000);

  it("heals an app deleted in the Okta console while its account is removed: no failed apply, no reconcile needed", async () => {
    const appId = harness.appIdByLabel("Contentzilla - TikTok")!;
    harness.emulator.deleteApp(appId);
    doc.accounts = doc.accounts.filter((candidate) => candidate.id !== "a-tiktok");
    await write();
    const plan = await harness.cli(["plan"]);
    expect(plan.stdout).toContain('- a-tiktok: remove chiclet "Contentzilla - TikTok"');
    const apply = await harness.cli(["apply", "--allow-destroy"]);
    expect(apply.stderr).toMatch(/already gone from Okta \(deleted in the console\?\): reading (it|them) back and planning again/);
    expect(apply.exitCode).toBe(0);
    const after = await harness.cli(["plan"]);
    expect(after.exitCode).toBe(0);
    await expectDashboardsRight();
  }, 180_000);

  it("brings back a chiclet whose app was deleted in the console while its account stays", async () => {
    const appId = harness.appIdByLabel("Vendor Portal - Salesforce")!;
    harness.emulator.deleteApp(appId);
    doc.accounts[0]!.name = "Contentzilla HQ";
    account("a-portal").name = "Supplier Portal";
    await write();
    const { apply } = await harness.sync(["--allow-destroy"]);
    expect(apply.stderr).toContain("already gone from Okta");
    expect(harness.appIdByLabel("Supplier Portal - Salesforce")).toBeDefined();
    await expectDashboardsRight();
  }, 180_000);

  it.skipIf(sameOnBoth)("lets everyone else sync when Okta does not know one person's login, and names that person", async () => {
    const dan = harness.emulator.findUserByLogin("dan@safe.example")!;
    harness.emulator.state.users.delete(dan.id);
    account("a-insta").grants.push({ user: "u-dan", role: "collaborator" }, { user: "u-carol", role: "collaborator" });
    await write();
    const { plan, apply } = await harness.sync();
    expect(plan.stdout).toContain('! dan@safe.example (u-dan): Okta found nobody for profile.login eq \\"dan@safe.example\\"');
    expect(plan.stdout).toContain('+ carol@safe.example (u-carol) sees "Contentzilla HQ - Instagram"');
    expect(apply.exitCode).toBe(0);
    expect(harness.dashboards()["carol@safe.example"]).toContain("Contentzilla HQ - Instagram");
    // Once Okta knows them, the next sync gives them the chiclet.
    harness.emulator.seedUser({ login: "dan@safe.example" });
    const { plan: later } = await harness.sync();
    expect(later.stdout).toContain("sees \"Contentzilla HQ - Instagram\"");
    expect(harness.dashboards()["dan@safe.example"]).toEqual(["Contentzilla HQ - Instagram"]);
  }, 180_000);

  it.skipIf(sameOnBoth)("prints Terraform's reason, in Okta terms, when Okta rejects the token", async () => {
    account("a-portal").name = "Supplier Portal EU";
    await write();
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    // A wrong token is refused before Terraform runs (src/cli/okta-options.ts credentialCheck) ...
    const refused = await harness.cli(["apply"], { env: { OKTA_API_TOKEN: "wrong-token" } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/refuses OKTA_API_TOKEN \(HTTP 401 E0000011 Invalid token provided/);
    // ... and one revoked while Terraform runs gets Terraform's reason, in Okta terms.
    harness.emulator.failNext({ method: "PUT", route: "/api/v1/apps/{id}", status: 401 });
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(/Okta rejected the credentials \(401\)/);
    expect(apply.stderr).toMatch(/Invalid token provided/);
  }, 120_000);
});

describe.skipIf(skip)("rate limits, as okta/okta 6.12 meets them (4.20's retries and governor are the same code)", () => {
  const start = harnessPerTest();
  const startWith = (doc: Doc, options: HarnessOptions) => start({ "safe/workspace.json": doc }, options);

  it("rides out 429 answers with the provider's own backoff, and every dashboard ends right", async () => {
    const h = await startWith(safeWorkspace({ minWaitSeconds: 1, maxWaitSeconds: 2, maxRetries: 5 }), {});
    expect((await h.cli(["plan"])).exitCode).toBe(2);
    h.emulator.setRateLimit("/api/v1/apps", { fail429Next: 3 });
    const apply = await h.cli(["apply"]);
    expect(apply.stderr).not.toContain("error");
    expect(apply.exitCode).toBe(0);
    expect(h.emulator.requestCount({ status: 429 })).toBe(3);
    expect(h.dashboards()).toEqual(await h.expectedDashboards());
  }, 180_000);

  /**
   * The most of a bucket's window the token used (from the X-Rate-Limit headers each answer carried) and
   * the requests Okta refused. Okta counts every request of the token, whichever process sent it.
   */
  function bucketUse(h: SyncHarness, bucket: string) {
    const requests = h.emulator.requests.filter((request) => request.bucket === bucket);
    const used = requests.filter((request) => request.status !== 429).map((request) => request.rateLimit!.limit - request.rateLimit!.remaining);
    return { requests: requests.length, peak: Math.max(0, ...used), refused: requests.filter((request) => request.status === 429).length };
  }

  // 120 a window of 3 s, of which an API token gets half (60); the workspace keeps to 25% of that: 15.
  const enforced = { rateLimits: { enforce: true, windowSeconds: 3, limits: { "/api/v1/apps": 120 } } };
  const SHARE = 15;
  // What a governor cannot hold back: the requests in flight when the share is reached (Terraform's 10
  // operations, divided among the stacks run at once), and one more for each answer still under the
  // share that an operation reads before the answers past it (measured: up to 18 past a share of 10);
  // and cerby-okta's own reads, 4 at once. Without the governor the token's 60 are reached, with 429s.
  const PAST_THE_SHARE = 2 * 10 + 4;
  function manyAccounts(): Doc {
    const doc = safeWorkspace({ maxApiCapacity: 25, minWaitSeconds: 1, maxWaitSeconds: 2 });
    doc.accounts = Array.from({ length: 24 }, (_, index) => ({ ...doc.accounts[0]!, id: `a-${index}`, name: `Brand ${index}` }));
    return doc;
  }

  it("gets through limits Okta enforces, keeping to the workspace's share of the apps bucket, and every dashboard ends right", async () => {
    const h = await startWith(manyAccounts(), { emulator: enforced });
    await h.sync();
    // 24 first syncs cost 4 each in the apps bucket (POST, two assignments, their list; 4.20 adds the policy PUT):
    // several windows' worth at the share.
    const use = bucketUse(h, "/api/v1/apps");
    expect(use.requests).toBeGreaterThanOrEqual(24 * 4);
    expect(use.peak).toBeLessThanOrEqual(SHARE + PAST_THE_SHARE);
    expect(use.refused).toBe(0);
    expect(h.dashboards()).toEqual(await h.expectedDashboards());
    expect((await h.cli(["plan"])).exitCode).toBe(0);
  }, 240_000);

  it("runs two stacks at once (--parallel 2) within one share of the apps bucket, and ends", async () => {
    const h = await startWith(manyAccounts(), { emulator: enforced });
    await writeFile(path.join(h.cwd, "cerby-okta.yaml"), "shards:\n  ws-safe: 2\n");
    const plan = await h.cli(["plan", "--parallel", "2"]);
    expect(plan.exitCode, plan.stderr).toBe(2);
    const apply = await h.cli(["apply"]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("applied: ws-safe-s000, ws-safe-s001");
    // Each process keeps to the whole share, seeing the other's requests in Okta's headers: together they stay near it.
    const use = bucketUse(h, "/api/v1/apps");
    expect(use.requests).toBeGreaterThanOrEqual(24 * 4);
    expect(use.peak).toBeLessThanOrEqual(SHARE + PAST_THE_SHARE);
    expect(use.refused).toBe(0);
    expect(h.dashboards()).toEqual(await h.expectedDashboards());
    expect((await h.cli(["plan", "--parallel", "2"])).exitCode).toBe(0);
  }, 240_000);
});
