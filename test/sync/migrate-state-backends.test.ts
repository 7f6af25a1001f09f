// migrate-state between remote backends, with Terraform in memory: the old
// and the new state are read through a scratch folder declaring only that
// backend (the stack folder already names the new one), and a destination
// holding a newer state is never written.
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateStates, type MigrationResult } from "../../src/sync/migrate-state.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";

const S3_OLD = { bucket: "acme-state", key: "old/ws-a.tfstate", region: "eu-west-1" };
const S3_NEW = { bucket: "acme-state", key: "new/ws-a.tfstate", region: "eu-west-1" };

function stateOf(serial: number, apps: string[], lineage = "lineage-a") {
  return { version: 4, serial, lineage, resources: [{ mode: "managed", type: "okta_app_bookmark", name: "app", instances: apps.map((id) => ({ index_key: id, attributes: { id: `0oa-${id}` } })) }] };
}

/** S3 in memory, by key; a folder's backend is what its last init recorded, as Terraform keeps it in .terraform/. */
function memoryS3(objects: Map<string, unknown>) {
  const calls: string[] = [];
  // A stack folder declares its backend in cdk.tf.json; a scratch folder in main.tf.json.
  const backendOf = async (dir: string) =>
    (JSON.parse(await readFile(path.join(dir, path.basename(path.dirname(dir)) === "stacks" ? "cdk.tf.json" : "main.tf.json"), "utf8")) as { terraform: { backend: { s3: { key: string } } } }).terraform.backend.s3;
  const recordedKey = async (dir: string) => (JSON.parse(await readFile(path.join(dir, ".terraform", "terraform.tfstate"), "utf8")) as { backend: { config: { key: string } } }).backend.config.key;
  const record = async (dir: string, config: object) => {
    await mkdir(path.join(dir, ".terraform"), { recursive: true });
    await writeFile(path.join(dir, ".terraform", "terraform.tfstate"), JSON.stringify({ backend: { type: "s3", config: { ...config, dynamodb_table: null } } }));
  };
  const terraform: Terraform = {
    init: async (dir, options = {}) => {
      const configured = await backendOf(dir);
      calls.push(`init ${path.basename(dir)}${options.migrateState ? " -migrate-state" : ""}${options.reconfigure ? " -reconfigure" : ""}`);
      if (options.migrateState) objects.set(configured.key, objects.get(await recordedKey(dir)));
      await record(dir, configured);
    },
    pullState: async (dir) => objects.get(await recordedKey(dir)) ?? {},
    plan: async () => ({ hasChanges: false }),
    showPlan: async () => ({}),
    apply: async () => undefined,
    showState: async () => ({}),
    forget: async () => undefined,
  };
  return { terraform, calls, record };
}

async function project(objects: Map<string, unknown>) {
  const root = await mkdtemp(path.join(os.tmpdir(), "migrate-"));
  const paths = { outDir: path.join(root, "out"), stateDir: path.join(root, "state") };
  const dir = path.join(paths.outDir, "stacks", "ws-a");
  await mkdir(dir, { recursive: true });
  const s3 = memoryS3(objects);
  // Initialized with the old backend; re-synthesized with the new one by the run.
  await s3.record(dir, S3_OLD);
  const resynthesize = async () => writeFile(path.join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { s3: S3_NEW } } }));
  const results: MigrationResult[] = [];
  const run = () =>
    migrateStates(["ws-a"], s3.terraform, paths, {
      stackOptions: { backend: { type: "s3", ...S3_NEW, key: "new/{workspaceId}.tfstate" } },
      resynthesize,
      log: () => undefined,
      report: (result) => results.push(result),
    });
  return { run, results, calls: s3.calls };
}

describe("migrate-state between remote backends", () => {
  it("reads both states through scratch folders, copies, checks, and is done on a second run", async () => {
    const objects = new Map<string, unknown>([[S3_OLD.key, stateOf(7, ["a-1", "a-2"])]]);
    const { run, results, calls } = await project(objects);
    await run();
    expect(results).toEqual([expect.objectContaining({ stack: "ws-a", outcome: "moved", apps: 2, to: "s3 new/ws-a.tfstate" })]);
    expect(calls).toEqual(["init from", "init to", "init ws-a -migrate-state"]);
    expect(objects.get(S3_NEW.key)).toEqual(stateOf(7, ["a-1", "a-2"]));
    await run();
    expect(results[1]).toEqual(expect.objectContaining({ outcome: "already", apps: 2 }));
  });

  it("refuses a destination holding a newer state, naming both serials, and writes nothing there", async () => {
    const newer = stateOf(40, ["a-1", "a-2", "a-3"]);
    const objects = new Map<string, unknown>([
      [S3_OLD.key, stateOf(27, ["a-1", "a-2"])],
      [S3_NEW.key, newer],
    ]);
    const { run, calls } = await project(objects);
    await expect(run()).rejects.toThrow(/ws-a: the destination already holds a newer state: the destination holds serial 40 \(lineage lineage-a, 3 apps\), the old backend serial 27/);
    expect(objects.get(S3_NEW.key)).toBe(newer);
    expect(calls.some((call) => call.includes("-migrate-state"))).toBe(false);
  });
});
