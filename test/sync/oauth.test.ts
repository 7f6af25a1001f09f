// OAuth end to end (issue 18): the real CLI and real Terraform with the
// stand-in provider, both authenticating as an OAuth API service app at the
// emulator, which enforces each route's scope as Okta does. The scopes
// granted are exactly READ_SCOPES and APPLY_SCOPES, the lists the README
// gives: a sync converges with APPLY_SCOPES and Okta never answers 403; a
// plan, reconcile and status work with READ_SCOPES, and apply with them is
// refused before Terraform, naming the scopes missing.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { newServiceApp } from "../../harness/service-app.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { APPLY_SCOPES, APPLY_SCOPES_4_20, READ_SCOPES } from "../../src/okta-api/credentials.ts";
import { requiredScope, scopeAllows } from "../../harness/okta-emulator/oauth.ts";
import type { LoggedRequest } from "../../harness/okta-emulator.ts";

const repo = path.resolve(import.meta.dirname, "../..");

const harnesses: SyncHarness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
});

/** Requests Okta refused for want of credentials or scope. */
const refusals = (harness: SyncHarness) => harness.emulator.requests.filter((r) => r.status === 401 || r.status === 403).map((r) => `${r.method} ${r.route} ${r.status}`);

/**
 * The scopes of `listed` that these requests could not do without: for each,
 * a request that the other listed scopes would not allow. Equal to `listed`
 * when every scope the README lists is needed.
 */
function scopesNeeded(requests: readonly LoggedRequest[], listed: readonly string[]): string[] {
  const required = new Set(requests.flatMap((r) => requiredScope(r.method, r.route) ?? []));
  return listed.filter((scope) => [...required].some((need) => !scopeAllows(new Set(listed.filter((other) => other !== scope)), need)));
}

describe.skipIf(shouldSkipTerraformTests())("OAuth with the least scopes the README lists", () => {
  beforeAll(() => requireTerraform());

  it.each([
    ["6.12.0", APPLY_SCOPES],
    ["4.20.0", APPLY_SCOPES_4_20],
  ] as const)("with okta/okta %s syncs the example workspaces with its apply scopes (%j): three runs converge, no 401 or 403, no key or token in any output", async (providerVersion, scopes) => {
    const writer = newServiceApp([...scopes]);
    const harness = await SyncHarness.start(path.join(repo, "workspaces"), { serviceApp: writer, providerVersion });
    harnesses.push(harness);
    const outputs: string[] = [];
    const exits: number[] = [];
    for (let run = 1; run <= 3; run++) {
      const plan = await harness.cli(["plan"]);
      exits.push(plan.exitCode ?? -1);
      outputs.push(plan.stdout, plan.stderr);
      if (plan.exitCode === 2) {
        const apply = await harness.cli(["apply"]);
        outputs.push(apply.stdout, apply.stderr);
        expect(apply.exitCode, apply.stderr).toBe(0);
      } else expect(plan.exitCode, plan.stderr).toBe(0);
    }
    expect(exits).toEqual([2, 0, 0]);
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
    const chiclets = (await harness.desiredState()).workspaces.flatMap((workspace) => (workspace.synced ? workspace.chiclets : []));
    expect(harness.emulator.state.apps.size).toBe(chiclets.length);
    expect(refusals(harness)).toEqual([]);
    // Not one scope more than the sync used.
    expect(scopesNeeded(harness.emulator.requests, scopes)).toEqual([...scopes]);
    // Everything went through OAuth: tokens were issued, and nobody verified an API token.
    expect(harness.emulator.issuedAccessTokens().length).toBeGreaterThan(0);
    expect(harness.emulator.issuedAccessTokens().every((token) => token.clientId === writer.clientId)).toBe(true);
    expect(harness.emulator.requestCount({ route: "/api/v1/users/me" })).toBe(0);
    const printed = outputs.join("\n");
    expect(printed).not.toContain("PRIVATE KEY");
    expect(printed).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
  }, 600_000);

  it("plans, reconciles and reports status with READ_SCOPES, with no 403; apply with them is refused before Terraform, naming the missing scopes", async () => {
    const writer = newServiceApp([...APPLY_SCOPES]);
    const reader = newServiceApp([...READ_SCOPES]);
    const harness = await SyncHarness.start(path.join(repo, "workspaces"), { serviceApp: writer, emulator: { serviceApps: [reader.registration] } });
    harnesses.push(harness);
    const asReader = { env: reader.env() };

    // A first sync's plan (the adoption check lists the org's apps and groups) with read scopes only.
    const firstPlan = await harness.cli(["plan"], asReader);
    expect(firstPlan.exitCode, firstPlan.stderr).toBe(2);
    const refused = await harness.cli(["apply"], asReader);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`applying needs the OAuth scopes okta.apps.manage, okta.groups.manage, which the OAuth service app ${reader.clientId} (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY) was not granted`);
    expect(refused.stderr).toContain("Nothing was changed");
    expect(refused.stderr).not.toContain("cdk.tf.json");
    expect(harness.emulator.state.apps.size).toBe(0);

    const readerRequests = [...harness.emulator.requests];
    await harness.sync(); // as the writer
    harness.emulator.resetRequestLog();
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("name: Contentzilla", "name: Contentzilla Renamed"));
    const plan = await harness.cli(["plan"], asReader);
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("Contentzilla Renamed");
    const reconcile = await harness.cli(["reconcile"], asReader);
    expect(reconcile.exitCode, reconcile.stderr).toBe(2);
    const status = await harness.cli(["status"], asReader);
    expect(status.exitCode, status.stderr).toBe(0);
    const apply = await harness.cli(["apply"], asReader);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain("applying needs the OAuth scopes okta.apps.manage, okta.groups.manage");
    expect(harness.emulator.findAppsByLabel("Contentzilla Renamed - Instagram")).toEqual([]);
    expect(refusals(harness)).toEqual([]);
    // Every read scope listed was needed by the reader's commands.
    expect(scopesNeeded([...readerRequests, ...harness.emulator.requests], READ_SCOPES)).toEqual([...READ_SCOPES]);
    expect(harness.emulator.issuedAccessTokens().some((token) => token.clientId === reader.clientId)).toBe(true);
  }, 600_000);

  it("deprovision with okta.users.read and okta.logs.read: reads every user, then the System Log, with no 403, needing both", async () => {
    const scopes = ["okta.users.read", "okta.logs.read"];
    const app = newServiceApp(scopes);
    const harness = await SyncHarness.start(path.join(repo, "workspaces"), { serviceApp: app });
    harnesses.push(harness);
    const first = await harness.cli(["deprovision", "workspaces/acme", "--apply"]);
    expect(first.exitCode, first.stderr).toBe(0);
    harness.emulator.setUserStatus("00u1bob", "SUSPENDED");
    const second = await harness.cli(["deprovision", "workspaces/acme", "--apply"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(harness.emulator.requestCount({ route: "/api/v1/logs" })).toBeGreaterThan(0);
    expect(await readFile(path.join(harness.cwd, "workspaces", "acme", "workspace.yaml"), "utf8")).not.toContain("00u1bob");
    expect(refusals(harness)).toEqual([]);
    expect(scopesNeeded(harness.emulator.requests, scopes)).toEqual(scopes);
  }, 300_000);

  it("a plan asking for fewer scopes than reading needs is refused before Terraform, naming the scope", async () => {
    const reader = newServiceApp([...READ_SCOPES]);
    const harness = await SyncHarness.start(path.join(repo, "workspaces"), { serviceApp: reader });
    harnesses.push(harness);
    const plan = await harness.cli(["plan"], { env: reader.env(READ_SCOPES.filter((scope) => scope !== "okta.users.read")) });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain("planning needs the OAuth scope okta.users.read");
    expect(harness.emulator.requests.map((r) => r.route)).toEqual(["/oauth2/v1/token"]);
  }, 120_000);
});
