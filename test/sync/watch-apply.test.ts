// `watch --apply` end to end: the real CLI and `terraform` against the Okta
// emulator; an edit reaches Okta without anyone running plan or apply.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";

const repo = path.resolve(import.meta.dirname, "../..");

async function waitFor(what: string, condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let harness: SyncHarness | undefined;
afterAll(async () => {
  await harness?.stop();
});

describe.skipIf(shouldSkipTerraformTests())("watch --apply", () => {
  it("applies the first sync, then each edit, and stops cleanly on SIGTERM", async () => {
    requireTerraform();
    harness = await SyncHarness.start(path.join(repo, "workspaces"));
    const watch = harness.cli(["watch", "--apply"]);
    let output = "";
    watch.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    watch.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

    await waitFor("the first sync to reach Okta", () => harness!.appIdByLabel("Contentzilla - Instagram (3)") !== undefined && /applied ws-acme/.test(output));
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());

    const appId = harness.appIdByLabel("Vendor Portal - Salesforce");
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("name: Vendor Portal", "name: Supplier Portal"));
    await waitFor("the relabel to reach Okta", () => harness!.appIdByLabel("Supplier Portal - Salesforce") !== undefined);
    expect(harness.appIdByLabel("Supplier Portal - Salesforce")).toBe(appId);
    await waitFor("the apply to finish", () => (output.match(/applied ws-acme/g) ?? []).length >= 2);
    expect(harness.dashboards()).toEqual(await harness.expectedDashboards());

    watch.kill("SIGTERM");
    const result = await watch;
    expect(result.exitCode).toBe(0);
    expect(output).toContain(": relabel \"Vendor Portal - Salesforce\" -> \"Supplier Portal - Salesforce\"");
  }, 300_000);
});
