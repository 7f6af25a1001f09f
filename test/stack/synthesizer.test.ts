// The one stack writer of synth, plan and the watcher.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeDesiredState, type DesiredWorkspace } from "../../src/domain/desired-state.ts";
import { SyncAborted } from "../../src/errors.ts";
import { StackSynthesizer } from "../../src/stack/synthesizer.ts";
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
});
