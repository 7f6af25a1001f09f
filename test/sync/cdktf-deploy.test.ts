// `cdktf deploy` and `cerby-okta apply` on the same workspace, in turn: the
// same stacks, the same state, no duplicates; incremental under cdktf too
// (TF_CLI_ARGS_plan), and R9 status stamped in the state by the deploy itself.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";

const skip = shouldSkipTerraformTests();

function workspace(names: string[]) {
  return {
    version: 1,
    workspace: { id: "ws-deploy", name: "Deploy", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
    users: [
      { id: "u-owner", email: "owner@deploy.example", oktaUserId: "00udeployowner", workspaceRole: "owner" },
      { id: "u-1", email: "one@deploy.example", oktaUserId: "00udeploy1", workspaceRole: "user" },
    ],
    accounts: names.map((name, index) => ({
      id: `a-${index}`,
      name,
      app: "Instagram",
      grants: [{ user: "u-owner", role: "owner" }, { user: "u-1", role: "collaborator" }],
      okta: { extendedBy: "u-owner", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
const incremental = { TF_CLI_ARGS_plan: "-refresh=false", TF_CLI_ARGS_apply: "-refresh=false" };

describe.skipIf(skip)("cdktf deploy beside cerby-okta apply", () => {
  let harness: SyncHarness;
  const write = (names: string[]) => writeFile(path.join(harness.cwd, "workspaces", "deploy", "workspace.json"), JSON.stringify(workspace(names), null, 2));
  const labels = () => [...harness.emulator.state.apps.values()].map((app) => app.label).sort();

  beforeAll(async () => {
    requireTerraform();
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "deploy"), { recursive: true });
      await writeFile(path.join(dir, "deploy", "workspace.json"), JSON.stringify(workspace(["Brand 0", "Brand 1", "Brand 2"]), null, 2));
    });
    await harness.sync();
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it("deploys a change made after a cerby-okta apply, reading back nothing else from Okta, and cerby-okta then finds nothing to do", async () => {
    const before = JSON.parse((await harness.cli(["status", "--json"])).stdout).workspaces[0].accounts;
    // Stamps are whole seconds (timestamp()): the deploy's must be a later one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await write(["Brand zero", "Brand 1", "Brand 2"]);
    harness.emulator.resetRequestLog();
    const deploy = await harness.cdktf(["deploy", "ws-deploy", "--auto-approve"], { env: incremental });
    expect(plain(deploy.stdout + deploy.stderr)).toContain("Apply complete! Resources: 1 added, 3 changed, 1 destroyed."); // the label; the apply record (2) and the account's stamp (replaced)
    expect(deploy.exitCode).toBe(0);
    expect(labels()).toEqual(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand zero - Instagram"]);
    // No refresh: the other accounts' apps were not read.
    expect(harness.emulator.requestCount({ method: "GET", route: "/api/v1/apps/{id}" })).toBeLessThanOrEqual(2);

    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("ws-deploy: no changes");

    // The deploy stamped, in the state, only the account whose objects it changed (R9); no --from-state needed.
    const status = await harness.cli(["status", "--json"]);
    const accounts = JSON.parse(status.stdout).workspaces[0].accounts;
    expect(accounts["a-0"].label).toBe("Brand zero - Instagram");
    expect(Date.parse(accounts["a-0"].lastSyncedAt)).toBeGreaterThan(Date.parse(before["a-0"].lastSyncedAt));
    expect(accounts["a-1"].lastSyncedAt).toBe(before["a-1"].lastSyncedAt);
    expect(accounts["a-2"].lastSyncedAt).toBe(before["a-2"].lastSyncedAt);
    const retired = await harness.cli(["status", "--from-state"]);
    expect(retired.exitCode).toBe(0);
    expect(retired.stderr).toContain("--from-state is no longer needed");
  }, 240_000);

  it("lets cdktf find nothing to do after cerby-okta applied the next change, with no app twice", async () => {
    await write(["Brand zero", "Brand 1", "Brand 2", "Brand 3"]);
    await harness.sync();
    const diff = await harness.cdktf(["diff", "ws-deploy"], { env: incremental });
    expect(diff.exitCode).toBe(0);
    expect(plain(diff.stdout + diff.stderr)).toContain("No changes.");
    expect(labels()).toEqual(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand 3 - Instagram", "Brand zero - Instagram"]);
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());
  }, 240_000);

  it("plans the stack again when the files go back after a deploy (Okta holds what was deployed, not what the files say)", async () => {
    await write(["Brand zero", "Brand one", "Brand 2", "Brand 3"]);
    const deploy = await harness.cdktf(["deploy", "ws-deploy", "--auto-approve"], { env: incremental });
    expect(deploy.exitCode).toBe(0);
    expect(labels()).toContain("Brand one - Instagram");
    await write(["Brand zero", "Brand 1", "Brand 2", "Brand 3"]);
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('~ a-1: relabel "Brand one - Instagram" -> "Brand 1 - Instagram"');
    expect((await harness.cli(["apply"])).exitCode).toBe(0);
    expect(labels()).toEqual(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand 3 - Instagram", "Brand zero - Instagram"]);
  }, 240_000);
});
