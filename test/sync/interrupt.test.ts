// SIGTERM during a long apply: Terraform is stopped cleanly, no state lock is
// left, the exit code says so, and the next plan and apply finish the sync.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";

const ACCOUNTS = 150;

function workspace() {
  return {
    version: 1,
    workspace: { id: "ws-big", name: "Big", extendedAccountAccess: true, okta: { orgName: "big", baseUrl: "okta.com" } },
    users: [{ id: "u-0", email: "owner@big.example", oktaUserId: "00ubig0", workspaceRole: "owner" }],
    accounts: Array.from({ length: ACCOUNTS }, (_, index) => ({
      id: `a-${index}`,
      name: `Brand ${index}`,
      app: "Instagram",
      grants: [{ user: "u-0", role: "owner" }],
      okta: { extendedBy: "u-0", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

let harness: SyncHarness | undefined;
afterAll(async () => {
  await harness?.stop();
});

describe.skipIf(shouldSkipTerraformTests())("stopping an apply", () => {
  it("stops Terraform cleanly on SIGTERM, exits 130, and the next plan and apply finish", async () => {
    requireTerraform();
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "big"), { recursive: true });
      await writeFile(path.join(dir, "big", "snapshot.json"), JSON.stringify(workspace()));
    });
    expect((await harness.cli(["plan"])).exitCode).toBe(2);

    const apply = harness.cli(["apply"]);
    const appsCreated = () => harness!.emulator.requests.filter((request) => request.method === "POST" && request.route === "/api/v1/apps").length;
    const deadline = Date.now() + 60_000;
    while (appsCreated() < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(appsCreated()).toBeGreaterThanOrEqual(10);
    apply.kill("SIGTERM");
    const stopped = await apply;

    expect(stopped.exitCode).toBe(130);
    expect(stopped.stderr).toContain("SIGTERM: stopping Terraform cleanly");
    expect(harness.emulator.state.apps.size).toBeLessThan(ACCOUNTS);
    // The local backend's lock lives beside the state file while Terraform runs.
    expect((await readdir(harness.cwd)).filter((name) => name.includes(".lock.info"))).toEqual([]);

    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    const resumed = await harness.cli(["apply"]);
    expect(resumed.exitCode).toBe(0);
    expect(harness.emulator.state.apps.size).toBe(ACCOUNTS);
    expect((await harness.cli(["plan"])).exitCode).toBe(0);
  }, 300_000);
});
