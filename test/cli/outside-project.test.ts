// Run outside the project folder, a command says which project folder it
// looked for, how that folder is found, and what to do: the real CLI.
import { execa } from "execa";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "bin", "cerby-okta.js");
const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa("node", [bin, ...args], { cwd, reject: false, extendEnv: false, env: { PATH: process.env.PATH ?? "", CI: "true", ...env } });

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const HOW_FOUND = "(how it is found: the folder of the file $CERBY_OKTA_CONFIG names, else the nearest folder from the current one up holding cerby-okta.yaml, else the nearest holding cdktf.json;";

describe("a command run outside the project folder", () => {
  it.each([["validate"], ["preview"], ["synth"], ["plan"], ["watch"]])("%s, with no project anywhere up, says none was found, how one is found, and to init or cd", async (command) => {
    const result = await run([command], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`the workspaces folder ${path.join(dir, "workspaces")} does not exist: no project folder was found: neither ${dir} nor any folder above it holds cerby-okta.yaml or cdktf.json`);
    expect(result.stderr).toContain(HOW_FOUND);
    expect(result.stderr).toContain("Run `cerby-okta init` here to start a project, or cd into your project folder");
    expect(result.stderr).not.toContain("removed meanwhile");
  }, 60_000);

  it("in a sub-folder of a project without workspaces/, names the project folder found and the marker that found it", async () => {
    await writeFile(path.join(dir, "cerby-okta.yaml"), "{}\n");
    const sub = path.join(dir, "docs", "deep");
    await mkdir(sub, { recursive: true });
    const result = await run(["validate"], sub);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`the project folder is ${dir}, the nearest folder up from ${sub} holding cerby-okta.yaml`);
    expect(result.stderr).toContain("Create workspaces/ there with one sub-folder per workspace (`cerby-okta init` writes an example), or name another folder with --workspaces");
  }, 60_000);

  it("names $CERBY_OKTA_CONFIG, and --workspaces or $CERBY_OKTA_WORKSPACES, when they chose the folders", async () => {
    await mkdir(path.join(dir, "project"));
    await writeFile(path.join(dir, "project", "team.yaml"), "{}\n");
    const byConfig = await run(["validate"], dir, { CERBY_OKTA_CONFIG: "project/team.yaml" });
    expect(byConfig.stderr).toContain(`the project folder is ${path.join(dir, "project")}, from $CERBY_OKTA_CONFIG (${path.join(dir, "project", "team.yaml")})`);
    const byFlag = await run(["preview", "--workspaces", "ws"], dir, { CERBY_OKTA_CONFIG: "project/team.yaml" });
    expect(byFlag.stderr).toContain(`the workspaces folder ${path.join(dir, "ws")}, named by --workspaces ws, does not exist`);
    expect(byFlag.stderr).toContain("Check that path, or leave it out to use workspaces/ in the project folder");
    const byEnv = await run(["validate"], dir, { CERBY_OKTA_WORKSPACES: "elsewhere" });
    expect(byEnv.stderr).toContain(`the workspaces folder ${path.join(dir, "elsewhere")}, named by $CERBY_OKTA_WORKSPACES (elsewhere), does not exist`);
    await writeFile(path.join(dir, "file"), "");
    const notFolder = await run(["validate", "--workspaces", "file"], dir);
    expect(notFolder.stderr).toContain(`the workspaces folder ${path.join(dir, "file")}, named by --workspaces file, is not a folder`);
  }, 60_000);

  it("after `cerby-okta init` as advised, the same command finds the project", async () => {
    expect((await run(["validate"], dir)).exitCode).toBe(1);
    expect((await run(["init"], dir)).exitCode).toBe(0);
    const result = await run(["validate"], dir);
    expect(result.stderr).not.toContain("does not exist");
    expect(result.exitCode).toBe(0);
  }, 60_000);
});
