// The incremental reader (the watcher's) reads files through its cache and a
// fast YAML path; it must refuse exactly what a one-time read refuses, with
// the same messages and locations, and never crash the watch.
import { execFileSync } from "node:child_process";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputIssue } from "../../src/errors.ts";
import { FileCache } from "../../src/workspace/file-cache.ts";
import { loadIssues, removeWrittenWorkspaces, workspaceSettings, writeWorkspaces } from "../support/temp-workspaces.ts";
import { withCpuTime } from "../support/cpu-time.ts";

afterAll(removeWrittenWorkspaces);

const SETTINGS = workspaceSettings();

/** Accounts in block style, one item per account: the layout the fast path reads piece by piece. */
const accounts = (names: readonly string[]) =>
  `accounts:\n${names.map((name, index) => `  - id: a-${index}\n    name: ${JSON.stringify(name)}\n    app: X\n    grants: [{ user: u-alice, role: owner }]\n`).join("")}`;

const BAD_FILES: Record<string, string | Buffer> = {
  "alias-bomb.yaml": [
    "version: 1",
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...["b", "c", "d", "e", "f", "g", "h"].map((name, index) => `${name}: &${name} [${Array(9).fill(`*${"abcdefg"[index]}`).join(",")}]`),
    "",
  ].join("\n"),
  "deep-item.yaml": `${SETTINGS}accounts:\n  - id: a-1\n    name: ${"[".repeat(5_000)}${"]".repeat(5_000)}\n    app: X\n`,
  "deep.json": `{"accounts":${"[".repeat(10_000)}${"]".repeat(10_000)}}`,
  "bidi-name.yaml": SETTINGS + accounts(["Fine", "Promo\u202egnp.exe", "Also fine"]),
  "c1-app.yaml": `${SETTINGS}accounts:\n  - id: a-1\n    name: A\n    app: "X\u009b2J"\n`,
  "zero-width-id.yaml": `${SETTINGS}teams:\n  - id: t-\u200b1\n    name: T\n`,
  "not-utf8.yaml": Buffer.concat([Buffer.from(`${SETTINGS}accounts:\n  - id: a-1\n    name: "Caf`), Buffer.from([0xe9]), Buffer.from('"\n    app: X\n')]),
  "many-problems.yaml": `${SETTINGS}accounts:\n${"  - id: a\n".repeat(500)}`,
};

/** Issues the watcher's cache reports for `file`, read as on a change. */
async function watcherIssues(file: string): Promise<readonly InputIssue[]> {
  const outcome = await new FileCache().read(file, file, true);
  if (outcome.kind === "gone") throw new Error(`${file} is gone`);
  return outcome.entry.issues;
}

describe("the watcher's reader", () => {
  it("refuses every bad input the loader refuses, with the same messages and locations", async () => {
    const tree: Record<string, Record<string, string>> = {};
    for (const [name, content] of Object.entries(BAD_FILES)) if (typeof content === "string") tree[name.replace(/\W/g, "-")] = { [name]: content };
    const root = await writeWorkspaces(tree);
    for (const [name, content] of Object.entries(BAD_FILES)) {
      if (typeof content === "string") continue;
      await mkdir(path.join(root, name.replace(/\W/g, "-")));
      await writeFile(path.join(root, name.replace(/\W/g, "-"), name), content);
    }
    const loaderIssues = await loadIssues(root);
    for (const name of Object.keys(BAD_FILES)) {
      const file = path.join(root, name.replace(/\W/g, "-"), name);
      const expected = loaderIssues.filter((issue) => issue.file === file);
      expect(expected.length, `the loader refuses ${name}`).toBeGreaterThan(0);
      expect(await watcherIssues(file), name).toEqual(expected);
    }
  });

  it("refuses an oversized file from its size alone, without reading it", async () => {
    const root = await writeWorkspaces({ ws: { "workspace.yaml": "" } });
    const file = path.join(root, "ws", "workspace.yaml");
    await truncate(file, 200 * 1024 * 1024);
    const { result: issues, cpuMs } = await withCpuTime(() => watcherIssues(file));
    expect(issues).toEqual([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: "file is 200 MiB; a YAML file may be at most 5 MiB (YAML is slow to parse): split it into several files, or use JSON (up to 64 MiB)",
      },
    ]);
    expect(cpuMs).toBeLessThan(1_000);
  });

  it("reports a pipe or a folder named like a workspace file instead of blocking on it", async () => {
    const root = await writeWorkspaces({ ws: { "workspace.yaml": SETTINGS } });
    const pipe = path.join(root, "ws", "pipe.yaml");
    execFileSync("mkfifo", [pipe]);
    const folder = path.join(root, "ws", "folder.json");
    await mkdir(folder);
    expect(await watcherIssues(pipe)).toEqual([{ file: pipe, line: 1, column: 1, path: "", message: "not a regular file (a device, socket or pipe): only files are read" }]);
    expect(await watcherIssues(folder)).toEqual([{ file: folder, line: 1, column: 1, path: "", message: "not a regular file (a folder): only files are read" }]);
  });

  it("accepts a good file through the fast path after a bad version of it", async () => {
    const root = await writeWorkspaces({ ws: { "workspace.yaml": SETTINGS + accounts(["Promo\u202egnp.exe"]) } });
    const file = path.join(root, "ws", "workspace.yaml");
    const cache = new FileCache();
    const bad = await cache.read(file, file, true);
    expect(bad.kind === "changed" && bad.entry.issues.map((issue) => issue.path)).toEqual(["accounts[0].name"]);
    await writeFile(file, SETTINGS + accounts(["Promo gnp.exe", "世界 😀"]));
    const good = await cache.read(file, file, true);
    expect(good.kind === "changed" && good.entry.issues).toEqual([]);
    expect(good.kind === "changed" && good.entry.parsed!.content.accounts!.map((account) => account.name)).toEqual(["Promo gnp.exe", "世界 😀"]);
  });
});
