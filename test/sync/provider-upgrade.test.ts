// A project synced with okta/okta 4.20.0 moves to 6.12.0 (`oktaProvider.version`
// in cerby-okta.yaml, then the default): the next sync re-initializes the
// stack for the new release (the old lock file is not carried over), updates
// every bookmark in place to skip its access policy (no app created or
// replaced), and the sync after that changes nothing. And back again.
import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { syncWorkspace } from "../../harness/sync-workspace.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

/** The workspace folder of a project with one JSON workspace of `accounts` accounts. */
function moveWorkspace(accounts: number) {
  const document = syncWorkspace("ws-move", accounts, { users: 1, name: (index) => `ws-move ${index}` });
  return async (dir: string) => {
    await mkdir(path.join(dir, "move"), { recursive: true });
    await writeFile(path.join(dir, "move", "workspace.json"), JSON.stringify(document));
  };
}

describe.skipIf(shouldSkipTerraformTests())("moving a synced project between okta/okta releases", () => {
  const startHarness = harnessPerTest();

  it("4.20.0 -> 6.12.0 updates each bookmark in place, creates nothing, then converges; and back to 4.20.0", async () => {
    const h = await startHarness(moveWorkspace(2), { providerVersion: "4.20.0" });
    await h.sync();
    const stackDir = path.join(h.cwd, "cdktf.out", "stacks", "ws-move");
    expect(await readFile(path.join(stackDir, ".terraform.lock.hcl"), "utf8")).toContain('version     = "4.20.0"');
    const appsBefore = [...h.emulator.state.apps.keys()].sort();
    expect(appsBefore).toHaveLength(2);

    await unlink(path.join(h.cwd, "cerby-okta.yaml")); // the default: 6.12.0
    h.emulator.resetRequestLog();
    const { plan, apply } = await h.sync();
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(await readFile(path.join(stackDir, ".terraform.lock.hcl"), "utf8")).toContain('version     = "6.12.0"');
    // Same apps, each written once (PUT, read), no policy call, nothing created.
    expect([...h.emulator.state.apps.keys()].sort()).toEqual(appsBefore);
    const counts = h.emulator.countsByRoute();
    expect(counts["POST /api/v1/apps"]).toBeUndefined();
    expect(counts["PUT /api/v1/apps/{id}"]).toBe(2);
    expect(counts["PUT /api/v1/apps/{id}/policies/{pid}"]).toBeUndefined();
    expect(h.dashboards()).toEqual(await h.expectedDashboards());
    expect((await h.cli(["plan"])).exitCode).toBe(0);

    // Back to 4.20.0 (a team that pins it): its schema has no skip_authentication_policy; the apps stay.
    await writeFile(path.join(h.cwd, "cerby-okta.yaml"), 'oktaProvider:\n  version: "4.20.0"\n');
    const back = await h.sync();
    expect(back.apply.exitCode, back.apply.stderr).toBe(0);
    expect([...h.emulator.state.apps.keys()].sort()).toEqual(appsBefore);
    expect(h.dashboards()).toEqual(await h.expectedDashboards());
    expect((await h.cli(["plan"])).exitCode).toBe(0);
  }, 400_000);

  it("refuses okta/okta 6.14.0, naming the file, the field and why", async () => {
    const h = await startHarness(moveWorkspace(1), { config: 'oktaProvider:\n  version: "6.14.0"\n' });
    const plan = await h.cli(["plan"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(/cerby-okta\.yaml:2:\d+ oktaProvider\.version: okta\/okta 6\.14\.0 shipped unintended breaking changes/);
    expect(plan.stderr).toContain("use 6.12.0 or 4.20.0");
    expect(h.emulator.requests).toEqual([]);
  }, 120_000);
});
