// `cdktf deploy` and `cerby-okta apply` on the same workspace, in turn: the
// same stacks, the same state, no duplicates; incremental under cdktf too
// (TF_CLI_ARGS_plan), and R9 status recorded from the state afterwards.
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
    await write(["Brand zero", "Brand 1", "Brand 2"]);
    harness.emulator.resetRequestLog();
    const deploy = await harness.cdktf(["deploy", "ws-deploy", "--auto-approve"], { env: incremental });
    expect(plain(deploy.stdout + deploy.stderr)).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(deploy.exitCode).toBe(0);
    expect(labels()).toEqual(["Brand 1 - Instagram", "Brand 2 - Instagram", "Brand zero - Instagram"]);
    // No refresh: the other accounts' apps were not read.
    expect(harness.emulator.requestCount({ method: "GET", route: "/api/v1/apps/{id}" })).toBeLessThanOrEqual(2);

    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("ws-deploy: no changes");

    const before = JSON.parse((await harness.cli(["status", "--json"])).stdout).workspaces[0].accounts["a-0"];
    expect(before.label).toBe("Brand 0 - Instagram");
    const status = await harness.cli(["status", "--from-state", "--json"]);
    expect(status.stderr).toContain("ws-deploy: state changed since last recorded; 3 accounts in step");
    const after = JSON.parse(status.stdout).workspaces[0].accounts["a-0"];
    expect(after.label).toBe("Brand zero - Instagram");
    expect(Date.parse(after.lastSyncedAt)).toBeGreaterThan(Date.parse(before.lastSyncedAt));
    const again = await harness.cli(["status", "--from-state"]);
    expect(again.stderr).toContain("ws-deploy: state unchanged");
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
});
