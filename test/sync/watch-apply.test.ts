// `watch --apply` end to end: the real CLI and `terraform` against the Okta
// emulator; an edit reaches Okta without anyone running plan or apply.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { brandsWorkspace } from "../../harness/workspace-fixture.ts";
import { shardOf, shardStackId } from "../../src/stack/shards.ts";

const repo = path.resolve(import.meta.dirname, "../..");

async function waitFor(what: string, condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let harness: SyncHarness | undefined;
let sharded: SyncHarness | undefined;
afterAll(async () => {
  await harness?.stop();
  await sharded?.stop();
});

const ACCOUNTS = 12;

/** `cerby-okta watch --apply` as a child, with everything it prints collected. */
function startWatch(on: SyncHarness) {
  const watch = on.cli(["watch", "--apply"]);
  const seen = { output: "" };
  watch.stdout?.on("data", (chunk: Buffer) => (seen.output += chunk.toString()));
  watch.stderr?.on("data", (chunk: Buffer) => (seen.output += chunk.toString()));
  return { watch, seen };
}

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

describe.skipIf(shouldSkipTerraformTests())("watch --apply on a sharded project", () => {
  it("applies over the shards `cerby-okta apply` made, plans only the shard an edit touched, creates nothing twice, and takes its own apps back after a lost state", async () => {
    requireTerraform();
    sharded = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "big"), { recursive: true });
      await writeFile(path.join(dir, "big", "workspace.json"), JSON.stringify(brandsWorkspace(ACCOUNTS), null, 2));
    });
    const on = sharded;
    await writeFile(path.join(on.cwd, "cerby-okta.yaml"), "shards: { ws-big: 4 }\n");
    await on.sync();
    const created = () => on.emulator.requestCount({ method: "POST", route: "/api/v1/apps" });
    expect(created()).toBe(ACCOUNTS);

    const { watch, seen } = startWatch(on);
    const shards = Array.from({ length: 4 }, (_, index) => shardStackId("ws-big", index));
    await waitFor("the first sync's apply", () => seen.output.includes(`applied ${shards.join(", ")}`));
    // Every shard is what its last apply applied: no Terraform run, no Okta request.
    expect(seen.output).toContain("4 of 4 stacks unchanged since the last apply");
    expect(seen.output).not.toMatch(/init, plan/);
    expect((await readdir(path.join(on.cwd, "cdktf.out", "stacks"))).filter((name) => !name.startsWith("."))).toEqual(shards);

    const appId = on.appIdByLabel("Brand 3 - Instagram");
    await on.editFile("big/workspace.json", (text) => text.replace('"Brand 3"', '"Renamed 3"'));
    const touched = shardStackId("ws-big", shardOf("a-3", 4));
    await waitFor("the apply of the touched shard", () => seen.output.includes(`applied ${touched} in`));
    expect(on.appIdByLabel("Renamed 3 - Instagram")).toBe(appId);
    expect(seen.output.match(/: init, plan/g)).toHaveLength(1);
    expect(seen.output).toContain(`${touched}: init, plan (no refresh)`);
    expect(created()).toBe(ACCOUNTS);
    expect(on.emulator.state.apps.size).toBe(ACCOUNTS);

    watch.kill("SIGTERM");
    expect((await watch).exitCode).toBe(0);

    // The state (and the status beside it) lost: every shard is a first sync again, and Okta holds its apps.
    for (const name of await readdir(on.cwd)) if (name.endsWith(".tfstate")) await rm(path.join(on.cwd, name));
    await rm(path.join(on.cwd, ".cerby-okta", "status"), { recursive: true, force: true });
    // Every create is checked against Okta: the apps and groups are ours (our names, this account's URL), so they are taken back, none created twice.
    const again = startWatch(on);
    await waitFor("the first sync's apply after the lost state", () => again.seen.output.includes(`applied ${shards.join(", ")}`) || /sync #1 failed/.test(again.seen.output));
    expect(again.seen.output).not.toMatch(/sync #1 failed/);
    expect(again.seen.output).toContain("with this account's URL, which no state holds (left by a stopped apply): taking it under management (import)");
    expect(created()).toBe(ACCOUNTS);
    expect(on.emulator.state.apps.size).toBe(ACCOUNTS);
    expect(on.appIdByLabel("Renamed 3 - Instagram")).toBe(appId);
    again.watch.kill("SIGTERM");
    await again.watch;
  }, 300_000);
});
