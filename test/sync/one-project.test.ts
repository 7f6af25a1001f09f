// Every entry into one sharded project resolves it the same way
// (src/config/project.ts): `cerby-okta synth` and `plan`, the watcher's
// pipeline, `cdktf synth` (main.ts) and the sandbox. The same stack IDs, each
// with the same state location; the sandbox's own, in its folder. Run from a
// sub-folder of the project, with the workspaces named by
// $CERBY_OKTA_WORKSPACES, as a CI job or a service would.
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { prepareSandboxProject } from "../../sandbox/sandbox.ts";
import { resolveProject, type ResolvedProject } from "../../src/config/project.ts";
import { decide } from "../../src/pipeline/pipeline.ts";
import { stateLocation } from "../../src/stack/state-path.ts";
import { shardOf, shardStackId } from "../../src/stack/shards.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const CONFIG = `backend: { type: local, path: "state/{workspaceId}.tfstate" }\nshards: { ws-acme: 2 }\n`;
const STACKS = ["ws-acme-eu", "ws-acme-s000", "ws-acme-s001"];

/** Stack ID -> the state path its cdk.tf.json names. */
async function stacksIn(outDir: string): Promise<Record<string, string>> {
  const stacksDir = path.join(outDir, "stacks");
  const result: Record<string, string> = {};
  for (const id of (await readdir(stacksDir)).filter((name) => !name.startsWith(".")).sort()) {
    const config = JSON.parse(await readFile(path.join(stacksDir, id, "cdk.tf.json"), "utf8")) as { terraform: { backend: { local: { path: string } } } };
    result[id] = config.terraform.backend.local.path;
  }
  return result;
}

async function resolvedStacks(resolved: ResolvedProject): Promise<Record<string, string>> {
  const { stacks } = await decide(resolved.workspacesDir, resolved.shardCounts);
  return Object.fromEntries(stacks.map((stack) => [stack.id, stateLocation(resolved.backend, resolved.project.dir, stack.id)]));
}

describe.skipIf(shouldSkipTerraformTests())("one sharded project, every path", () => {
  let harness: SyncHarness;
  let sub: string;
  let env: Record<string, string>;
  let expected: Record<string, string>;

  beforeAll(async () => {
    requireTerraform();
    harness = await SyncHarness.start(path.join(repo, "workspaces"));
    // Not where the default would look: only $CERBY_OKTA_WORKSPACES finds it.
    await mkdir(path.join(harness.cwd, "cerby"));
    await rename(path.join(harness.cwd, "workspaces"), path.join(harness.cwd, "cerby", "workspaces"));
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), CONFIG);
    sub = path.join(harness.cwd, "ci", "job");
    await mkdir(sub, { recursive: true });
    env = { CERBY_OKTA_WORKSPACES: path.join(harness.cwd, "cerby", "workspaces") };
    expected = Object.fromEntries(STACKS.map((id) => [id, path.join(harness.cwd, "state", `${id}.tfstate`)]));
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it("resolves the project the same way from any folder", async () => {
    const resolved = await resolveProject({}, { cwd: sub, env });
    expect(resolved.project.dir).toBe(harness.cwd);
    expect(resolved.workspacesDir).toBe(env.CERBY_OKTA_WORKSPACES);
    expect(await resolvedStacks(resolved)).toEqual(expected);
  });

  it("cerby-okta synth and plan write and plan the same stacks, with the same state", async () => {
    const synth = await harness.cli(["synth", "--out", path.join(harness.cwd, "out-synth")], { cwd: sub, env });
    expect(synth.exitCode, synth.stderr).toBe(0);
    expect(await stacksIn(path.join(harness.cwd, "out-synth"))).toEqual(expected);

    const plan = await harness.cli(["plan"], { cwd: sub, env });
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(await stacksIn(path.join(harness.cwd, "cdktf.out"))).toEqual(expected);
    const set = JSON.parse(await readFile(path.join(harness.cwd, ".cerby-okta", "plans", "index.json"), "utf8")) as { stacks: string[] };
    expect([...set.stacks].sort()).toEqual(STACKS);
  }, 180_000);

  it("the watcher writes the same stacks, with the same state", async () => {
    const outDir = path.join(harness.cwd, "out-watch");
    const watch = harness.cli(["watch", "--out", outDir], { cwd: sub, env });
    let output = "";
    watch.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!/sync #1 \(first\) done/.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    watch.kill("SIGTERM");
    const result = await watch;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(output).toContain(`wrote ${STACKS.join(", ")}`);
    expect(await stacksIn(outDir)).toEqual(expected);
  }, 120_000);

  it("cdktf synth (main.ts) synthesizes the same stacks, with the same state, and prints our warnings as warnings", async () => {
    const outDir = path.join(harness.cwd, "out-cdktf");
    const synth = await harness.cdktf(["synth", "--output", outDir], { env });
    expect(synth.exitCode, synth.stderr).toBe(0);
    expect(await stacksIn(outDir)).toEqual(expected);
    // The example has rejected accounts: their warnings reach the person, not as errors.
    const output = `${synth.stdout}\n${synth.stderr}`;
    expect(output).toMatch(/warning: ws-acme: /);
    expect(output).not.toContain("[ERROR]");
  }, 180_000);

  it("the sandbox keeps the stacks and shards, with a state of its own in its folder", async () => {
    const project = await resolveProject({}, { cwd: sub, env });
    const sandboxDir = path.join(harness.cwd, ".sandbox");
    const sandboxEnv = prepareSandboxProject(sandboxDir, project);
    // Every command the sandbox runs, and the lines it prints, resolve through this environment, from any folder.
    const sandbox = await resolveProject({}, { cwd: sub, env: sandboxEnv });
    expect(sandbox.workspacesDir).toBe(project.workspacesDir);
    expect(sandbox.project.dir).toBe(sandboxDir);
    expect(await resolvedStacks(sandbox)).toEqual(Object.fromEntries(STACKS.map((id) => [id, path.join(sandboxDir, `terraform.${id}.tfstate`)])));
    expect(sandbox.outDir).toBe(path.join(sandboxDir, "cdktf.out"));
    expect(sandbox.stateDir).toBe(path.join(sandboxDir, ".cerby-okta"));
  });

  it("cerby-okta synth and cdktf synth both write the adoptions `cerby-okta adopt` left, so neither path creates those apps again", async () => {
    const stack = shardStackId("ws-acme", shardOf("a-contentzilla", 2));
    await mkdir(path.join(harness.cwd, ".cerby-okta", "adopt"), { recursive: true });
    await writeFile(path.join(harness.cwd, ".cerby-okta", "adopt", `${stack}.json`), JSON.stringify({ apps: { "a-contentzilla": "0oaadopted" }, accessGroups: {} }));
    const adoptIn = async (outDir: string) => (JSON.parse(await readFile(path.join(outDir, "stacks", stack, "cerby-okta.json"), "utf8")) as { adopt: unknown }).adopt;

    const synth = await harness.cli(["synth", "--out", path.join(harness.cwd, "out-adopt-synth")], { cwd: sub, env });
    expect(synth.exitCode, synth.stderr).toBe(0);
    const cdktf = await harness.cdktf(["synth", "--output", path.join(harness.cwd, "out-adopt-cdktf")], { env });
    expect(cdktf.exitCode, cdktf.stderr).toBe(0);
    expect(await adoptIn(path.join(harness.cwd, "out-adopt-synth"))).toEqual({ apps: { "a-contentzilla": "0oaadopted" }, accessGroups: {} });
    expect(await adoptIn(path.join(harness.cwd, "out-adopt-cdktf"))).toEqual(await adoptIn(path.join(harness.cwd, "out-adopt-synth")));
  }, 180_000);
});
