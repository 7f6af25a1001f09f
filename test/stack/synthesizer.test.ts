// The one stack writer of synth, plan and the watcher.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeDesiredState, type DesiredWorkspace } from "../../src/domain/desired-state.ts";
import { SyncAborted } from "../../src/errors.ts";
import { createHash } from "node:crypto";
import { STACK_TEMPLATE_VERSION } from "../../src/stack/names.ts";
import { StackSynthesizer } from "../../src/stack/synthesizer.ts";
import { stackUnits } from "../../src/stack/shards.ts";
import { addWorkspaceStacks } from "../../src/stack/synthesize.ts";
import type { BackendConfig } from "../../src/config/project-config.ts";
import { App } from "cdktf";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";

const EXAMPLE_WORKSPACES = path.resolve(import.meta.dirname, "../../workspaces");

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function example(): Promise<DesiredWorkspace[]> {
  return [...computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES)).workspaces];
}

const stackFiles = async (out: string, id: string) => ({
  config: await readFile(path.join(out, "stacks", id, "cdk.tf.json"), "utf8"),
  data: await readFile(path.join(out, "stacks", id, "cerby-okta.json"), "utf8"),
});

describe("stack synthesizer", () => {
  it("writes nothing when stopped before the swap, and recovers a stack caught mid-swap", async () => {
    const workspaces = await example();
    const stopped = new AbortController();
    stopped.abort();
    await expect(new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: false, signal: stopped.signal })).rejects.toBeInstanceOf(SyncAborted);
    expect(existsSync(path.join(dir, "stacks", "ws-acme"))).toBe(false);
    expect(await readdir(path.join(dir, "stacks"))).toEqual([]);

    expect(await new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: false })).toEqual(["ws-acme", "ws-acme-eu"]);
    const data = await readFile(path.join(dir, "stacks", "ws-acme", "cerby-okta.json"), "utf8");
    // A crash between the two renames of a swap: the old folder is back on the next start.
    await rename(path.join(dir, "stacks", "ws-acme"), path.join(dir, "stacks", ".ws-acme.old-1-abcd1234"));
    await mkdir(path.join(dir, "stacks", ".ws-acme-eu.staging-1-abcd1234"));
    await writeFile(path.join(dir, "stacks", ".ws-acme-eu.staging-1-abcd1234", "cdk.tf.json"), "{");
    await new StackSynthesizer({ outDir: dir }).recover();
    expect((await readdir(path.join(dir, "stacks"))).sort()).toEqual(["ws-acme", "ws-acme-eu"]);
    expect(await readFile(path.join(dir, "stacks", "ws-acme", "cerby-okta.json"), "utf8")).toBe(data);
  });

  it("writes again only the stacks that changed, reusing cdk.tf.json, and the result is what a fresh synthesizer writes", async () => {
    const workspaces = await example();
    const kept = new StackSynthesizer({ outDir: path.join(dir, "kept") });
    await kept.write(workspaces, { prune: false });
    expect(await kept.write(workspaces, { prune: false })).toEqual([]);
    const acme = workspaces.find((workspace) => workspace.id === "ws-acme")!;
    const edited = workspaces.map((workspace) =>
      workspace === acme ? { ...acme, chiclets: acme.chiclets.map((chiclet, index) => (index === 0 ? { ...chiclet, label: "Renamed - X" } : chiclet)) } : workspace,
    );
    expect(await kept.write(edited, { prune: false })).toEqual(["ws-acme"]);
    await new StackSynthesizer({ outDir: path.join(dir, "fresh") }).write(edited, { prune: true });
    for (const id of ["ws-acme", "ws-acme-eu"]) expect(await stackFiles(path.join(dir, "kept"), id)).toEqual(await stackFiles(path.join(dir, "fresh"), id));
    expect(await readFile(path.join(dir, "kept", "manifest.json"), "utf8")).toBe(await readFile(path.join(dir, "fresh", "manifest.json"), "utf8"));
  });

  // The synthesizer runs cdktf once per shape (stacks alike but for their ID)
  // and writes each stack from it with its own ID: the files must be exactly
  // what cdktf writes for that stack itself (the `cdktf synth` path).
  it.each<[string, BackendConfig | undefined]>([
    ["the default local backend", undefined],
    ["a local backend path", { type: "local", path: "states/{workspaceId}/terraform.tfstate" }],
    ["S3", { type: "s3", bucket: "states", key: "cerby/{workspaceId}.tfstate", region: "eu-west-1", useLockfile: true, roleArn: "arn:aws:iam::1:role/x" }],
    ["GCS", { type: "gcs", bucket: "states", prefix: "cerby/{workspaceId}" }],
    ["HCP Terraform", { type: "cloud", organization: "acme", workspaceName: "cerby-{workspaceId}", hostname: "tfe.example" }],
  ])("writes each stack byte for byte as cdktf synthesizes it alone, shards and IDs of any length included, with %s", async (_name, backend) => {
    const [acme, eu] = await example();
    const ids = ["w", "x".repeat(100), "cerby-okta-template-stack-0", "ws-acme"];
    const workspaces = [...ids.map((id) => ({ ...acme!, id })), eu!];
    const stacks = stackUnits(workspaces, new Map([["ws-acme", 3], ["w", 2]]));
    const options = { backend, projectDir: path.join(dir, "project") };
    await new StackSynthesizer({ outDir: path.join(dir, "ours"), stackOptions: options }).write(stacks, { prune: false });
    const app = new App({ outdir: path.join(dir, "cdktf"), skipValidation: true });
    addWorkspaceStacks(app, stacks, options);
    app.synth();
    for (const stack of stacks) expect(await stackFiles(path.join(dir, "ours"), stack.id), stack.id).toEqual(await stackFiles(path.join(dir, "cdktf"), stack.id));
    const manifest = async (out: string) => JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
    expect((await manifest(path.join(dir, "ours"))).stacks).toEqual((await manifest(path.join(dir, "cdktf"))).stacks);
  });

  it("keeps what Terraform put in a stack folder, and prunes the stacks of workspaces no longer synced", async () => {
    const workspaces = await example();
    await new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: true });
    await mkdir(path.join(dir, "stacks", "ws-acme", ".terraform"));
    await writeFile(path.join(dir, "stacks", "ws-acme", ".terraform", "marker"), "init");
    const withoutEu = workspaces.map((workspace) => (workspace.id === "ws-acme-eu" ? { ...workspace, synced: false } : workspace));
    await new StackSynthesizer({ outDir: dir }).write(withoutEu, { prune: true });
    expect(await readdir(path.join(dir, "stacks"))).toEqual(["ws-acme"]);
    expect(await readFile(path.join(dir, "stacks", "ws-acme", ".terraform", "marker"), "utf8")).toBe("init");
    expect(Object.keys(JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")).stacks)).toEqual(["ws-acme"]);
  });

  it("reuses the stack folders an earlier run wrote: nothing is written when nothing changed, only the data when only the data changed", async () => {
    const workspaces = await example();
    await new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: true });
    const before = await stackFiles(dir, "ws-acme");
    const reusing = () => new StackSynthesizer({ outDir: dir, reuseOnDisk: true });
    expect(await reusing().write(workspaces, { prune: true })).toEqual([]);
    expect(await stackFiles(dir, "ws-acme")).toEqual(before);

    const acme = workspaces.find((workspace) => workspace.id === "ws-acme")!;
    const edited = workspaces.map((workspace) =>
      workspace === acme ? { ...acme, chiclets: acme.chiclets.map((chiclet, index) => (index === 0 ? { ...chiclet, label: "Renamed - X" } : chiclet)) } : workspace,
    );
    expect(await reusing().write(edited, { prune: true })).toEqual(["ws-acme"]);
    await new StackSynthesizer({ outDir: path.join(dir, "fresh") }).write(edited, { prune: true });
    for (const id of ["ws-acme", "ws-acme-eu"]) expect(await stackFiles(dir, id)).toEqual(await stackFiles(path.join(dir, "fresh"), id));
    expect(await readFile(path.join(dir, "manifest.json"), "utf8")).toBe(await readFile(path.join(dir, "fresh", "manifest.json"), "utf8"));
  });

  it("writes a stack folder again when its cdk.tf.json was edited, its record is missing, or another version wrote it", async () => {
    const workspaces = await example();
    await new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: true });
    const before = await stackFiles(dir, "ws-acme");
    const record = path.join(dir, "stacks", "ws-acme", ".cerby-okta-template.json");
    const reusing = () => new StackSynthesizer({ outDir: dir, reuseOnDisk: true });

    await writeFile(path.join(dir, "stacks", "ws-acme", "cdk.tf.json"), before.config.replace('"okta_app_bookmark"', '"okta_app_bookmark" '));
    expect(await reusing().write(workspaces, { prune: true })).toEqual(["ws-acme"]);
    expect(await stackFiles(dir, "ws-acme")).toEqual(before);

    await rm(record);
    expect(await reusing().write(workspaces, { prune: true })).toEqual(["ws-acme"]);
    expect(existsSync(record)).toBe(true);

    const { key, sha256 } = JSON.parse(await readFile(record, "utf8")) as { key: string; sha256: string };
    await writeFile(record, JSON.stringify({ key: key.replace(`[${STACK_TEMPLATE_VERSION},`, "[0,"), sha256 }));
    expect(await reusing().write(workspaces, { prune: true })).toEqual(["ws-acme"]);
    expect(JSON.parse(await readFile(record, "utf8")).key).toBe(key);
  });

  it("has a STACK_TEMPLATE_VERSION that changes with what cdk.tf.json holds (else folders written by older code would be reused)", async () => {
    const workspaces = await example();
    await new StackSynthesizer({ outDir: dir }).write(workspaces, { prune: true });
    // Only the parts that do not depend on the temporary folder.
    const { terraform, ...config } = JSON.parse((await stackFiles(dir, "ws-acme")).config) as Record<string, unknown>;
    const digest = createHash("sha256").update(JSON.stringify({ ...config, providers: (terraform as { required_providers?: unknown }).required_providers })).digest("hex").slice(0, 16);
    // When this fails: bump STACK_TEMPLATE_VERSION in src/stack/names.ts, then record the new pair here.
    expect({ version: STACK_TEMPLATE_VERSION, digest }).toEqual({ version: 6, digest: "8519b28ff52f6302" });
  });
});
