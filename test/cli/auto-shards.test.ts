// A large workspace with no `shards:` is sharded at its first sync, and the
// count is recorded in cerby-okta.yaml; a workspace already in use keeps its
// count, and is told what moving to the advised one costs.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COST_WORKSPACE_ID, costWorkspace } from "../../harness/change-cost.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { shardOf, suggestedShardCount } from "../../src/stack/shards.ts";

const ACCOUNTS = 1_000;
const ADVISED = suggestedShardCount(ACCOUNTS);
const writeWorkspace = async (dir: string) => {
  await mkdir(path.join(dir, "big"), { recursive: true });
  await writeFile(path.join(dir, "big", "workspace.json"), JSON.stringify(costWorkspace(ACCOUNTS)));
};

// Runs the CLI through the Terraform harness (the plan and reshard run Terraform).
const skip = shouldSkipTerraformTests();

describe.skipIf(skip)("a 1,000-account workspace with no shards:", () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start(writeWorkspace);
  }, 60_000);
  afterAll(async () => harness?.stop());

  it("is announced, before its first sync, as sharded into the advised count", async () => {
    expect(ADVISED).toBe(8);
    const validate = await harness.cli(["validate"]);
    expect(validate.exitCode).toBe(0);
    expect(validate.stderr).toContain(`${COST_WORKSPACE_ID}: 1,000 accounts, never synced: its first \`cerby-okta plan\` shards it into 8 stacks`);
    const shards = JSON.parse((await harness.cli(["shards", "--json"])).stdout) as { stacks: { stack: string; accounts: number; shards: number }[] };
    expect(shards.stacks.map((stack) => stack.stack)).toEqual(Array.from({ length: 8 }, (_, index) => `${COST_WORKSPACE_ID}-s00${index}`));
    expect(shards.stacks.reduce((sum, stack) => sum + stack.accounts, 0)).toBe(ACCOUNTS);
  });

  it("gets the advised shards at its first plan, recorded in cerby-okta.yaml, and keeps them as it grows", async () => {
    // One shard is planned for real (Terraform, stand-in provider); all eight are decided and synthesized.
    const plan = await harness.cli(["plan", "--stack", `${COST_WORKSPACE_ID}-s003`]);
    expect(plan.stderr).toContain(`${COST_WORKSPACE_ID}: 1,000 accounts, first sync: sharded into 8 stacks (advised`);
    expect(plan.exitCode, plan.stderr).toBe(2);
    const config = parse(await readFile(path.join(harness.cwd, "cerby-okta.yaml"), "utf8")) as { shards: Record<string, number> };
    expect(config.shards).toEqual({ [COST_WORKSPACE_ID]: 8 });
    const stacks = (await import("node:fs")).readdirSync(path.join(harness.cwd, "cdktf.out", "stacks")).sort();
    expect(stacks).toEqual(Array.from({ length: 8 }, (_, index) => `${COST_WORKSPACE_ID}-s00${index}`));
    // Its first sync, folded: counts, then at most 20 lines.
    expect(plan.stdout).toMatch(new RegExp(`^${COST_WORKSPACE_ID}: first sync \\(${COST_WORKSPACE_ID}-s003\\): \\d+ chiclets to create`));
    expect(plan.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(1 + 20 + 2);

    // 1,100 accounts would be advised 16 shards: the recorded 8 stay (137 accounts each is near enough: no advice).
    await writeFile(path.join(harness.cwd, "workspaces", "big", "workspace.json"), JSON.stringify(costWorkspace(1_100)));
    expect(suggestedShardCount(1_100)).toBe(16);
    const again = await harness.cli(["validate"]);
    expect(again.stderr).not.toContain("shards it into");
    expect(again.stderr).not.toContain("reshard");
    const listed = JSON.parse((await harness.cli(["shards", "--json"])).stdout) as { stacks: { shards: number }[] };
    expect(new Set(listed.stacks.map((stack) => stack.shards))).toEqual(new Set([8]));
  }, 180_000);
});

describe.skipIf(skip)("a 950-account workspace applied as one stack", () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "big"), { recursive: true });
      await writeFile(path.join(dir, "big", "workspace.json"), JSON.stringify(costWorkspace(950)));
    });
    // What `apply` records for an unsharded stack (its accounts do not matter here).
    await mkdir(path.join(harness.cwd, ".cerby-okta", "status"), { recursive: true });
    await writeFile(path.join(harness.cwd, ".cerby-okta", "status", `${COST_WORKSPACE_ID}.json`), JSON.stringify({ workspaceId: COST_WORKSPACE_ID, stack: COST_WORKSPACE_ID, shards: 1, accounts: {} }));
  }, 60_000);
  afterAll(async () => harness?.stop());

  it("stays one stack, and validate, preview and synth say what moving to 8 shards costs and how", async () => {
    for (const command of [["validate"], ["preview"], ["synth", "--no-warnings"]]) {
      const result = await harness.cli(command);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        new RegExp(
          `${COST_WORKSPACE_ID}: 950 accounts in 1 stack \\(as last applied\\); 8 advised \\(64 to 128 accounts each\\)\\. ` +
            `Moving 950 accounts costs about [\\d,]+ Okta API calls \\(.*/api/v1/apps.*\\), at least [\\d.]+ (min|h|s) at 50% of Okta's rate limits .*` +
            `\`cerby-okta reshard --stack ${COST_WORKSPACE_ID} --to 8\`, then plan and apply`,
        ),
      );
    }
    expect(await readFile(path.join(harness.cwd, "cerby-okta.yaml"), "utf8").catch(() => "none")).toBe("none");
    const shards = JSON.parse((await harness.cli(["shards", "--json"])).stdout) as { stacks: { stack: string }[] };
    expect(shards.stacks.map((stack) => stack.stack)).toEqual([COST_WORKSPACE_ID]);
  }, 120_000);

  it("moves with the command the advice names: reshard --to writes shards: and moves the states", async () => {
    const without = await harness.cli(["reshard", "--to", "8"]);
    expect(without.exitCode).toBe(1);
    expect(without.stderr).toContain("--to needs exactly one workspace, named by --stack <workspace id>");
    const reshard = await harness.cli(["reshard", "--stack", COST_WORKSPACE_ID, "--to", "8"]);
    expect(reshard.exitCode, reshard.stderr).toBe(0);
    // Its state (never applied here: the record above stands for an apply) holds nothing to move.
    expect(reshard.stdout).toContain(`${COST_WORKSPACE_ID}: 1 -> 8 shards; no account to move`);
    const config = parse(await readFile(path.join(harness.cwd, "cerby-okta.yaml"), "utf8")) as { shards: Record<string, number> };
    expect(config.shards).toEqual({ [COST_WORKSPACE_ID]: 8 });
    const validate = await harness.cli(["validate"]);
    expect(validate.stderr).not.toContain("advised");
    const listed = JSON.parse((await harness.cli(["shards", "--json"])).stdout) as { workspaces: { shards: number; shardSource: string; reshardNeeded: boolean }[] };
    expect(listed.workspaces).toEqual([expect.objectContaining({ shards: 8, shardSource: "configured", reshardNeeded: false })]);
  }, 120_000);
});

describe.skipIf(skip)("a workspace that looks new but whose apps Okta already holds", () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "big"), { recursive: true });
      await writeFile(path.join(dir, "big", "workspace.json"), JSON.stringify(costWorkspace(300)));
    });
  }, 60_000);
  afterAll(async () => harness?.stop());

  it("is refused at its first plan, naming shards: as the way out, and nothing is recorded", async () => {
    expect(suggestedShardCount(300)).toBe(4);
    // As if synced before in one stack, from a machine whose records this one lacks.
    const index = Array.from({ length: 300 }, (_, n) => n).find((n) => shardOf(`a-${n}`, 4) === 0)!;
    harness.emulator.createBookmarkApp(`Brand ${index} - Instagram`, "https://old.example/login");
    const plan = await harness.cli(["plan", "--stack", `${COST_WORKSPACE_ID}-s000`]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(`app "Brand ${index} - Instagram" (account a-${index}) exists as`);
    expect(plan.stderr).toContain(`If workspace ${COST_WORKSPACE_ID} was synced before with another shard count`);
    expect(plan.stderr).toContain("set `shards:` in cerby-okta.yaml to that count (1 for one stack)");
    expect(plan.stderr).not.toContain("recorded in");
    await expect(readFile(path.join(harness.cwd, "cerby-okta.yaml"), "utf8")).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
