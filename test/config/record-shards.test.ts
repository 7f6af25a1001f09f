// The first sync's shard counts go into cerby-okta.yaml: the rest of the file stays as written.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject, recordShardCounts } from "../../src/config/project-config.ts";

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});
async function project(text?: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "cerby-okta-record-"));
  folders.push(dir);
  if (text !== undefined) await writeFile(path.join(dir, "cerby-okta.yaml"), text);
  await writeFile(path.join(dir, "cdktf.json"), "{}");
  return loadProject(dir, {});
}

describe("recording shard counts in cerby-okta.yaml", () => {
  it("adds to shards: and keeps comments and other settings", async () => {
    const text = "# our state\nbackend:\n  type: local # on this laptop\nshards:\n  ws-a: 4\n";
    const file = await recordShardCounts(await project(text), new Map([["ws-big", 8]]));
    expect(await readFile(file, "utf8")).toBe("# our state\nbackend:\n  type: local # on this laptop\nshards:\n  ws-a: 4\n  ws-big: 8\n");
  });

  it("creates the file in the project folder when there is none", async () => {
    const dir = (await project()).dir;
    const file = await recordShardCounts(await loadProject(dir, {}), new Map([["ws-big", 8]]));
    expect(file).toBe(path.join(dir, "cerby-okta.yaml"));
    expect(await readFile(file, "utf8")).toBe("shards:\n  ws-big: 8\n");
    expect((await loadProject(dir, {})).config.shards).toEqual({ "ws-big": 8 });
  });

  it("refuses a file that does not parse, leaving it as it was", async () => {
    // Changed after it was loaded: the writer reads it again.
    const loaded = await project("");
    await writeFile(loaded.configFile!, "backend: [\n");
    await expect(recordShardCounts(loaded, new Map([["ws-big", 8]]))).rejects.toThrow(/does not parse/);
    expect(await readFile(loaded.configFile!, "utf8")).toBe("backend: [\n");
  });
});
