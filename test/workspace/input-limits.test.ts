// Input built to hurt: alias bombs, deep nesting, huge files, bytes that are
// not UTF-8. Each must be refused with a message naming the file and line, at
// once and in bounded memory, and never end in a crash or a stack trace.
import { mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNodeAtLocation, parseTree } from "jsonc-parser";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { parseSourceFile } from "../../src/workspace/source-file.ts";
import { MAX_NESTING_DEPTH } from "../../src/workspace/limits.ts";
import { issuesFor, loadIssues, positionOf, removeWrittenWorkspaces, workspaceSettings, writeWorkspaces } from "../support/temp-workspaces.ts";
import { expectNoCrashText, runCli } from "./run-cli.ts";
import { withCpuTime } from "../support/cpu-time.ts";

afterAll(removeWrittenWorkspaces);

const SETTINGS = workspaceSettings();

/** Nine levels of nine aliases: some 400 million values once expanded. */
const ALIAS_BOMB = [
  "version: 1",
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map((name, index) => {
    const previous = "abcdefgh"[index]!;
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`;
  }),
  "",
].join("\n");

const deepJson = (levels: number) => `{"version":1,"accounts":${"[".repeat(levels)}${"]".repeat(levels)}}`;

/** Writes an empty file and stretches it to `bytes` without writing them (a sparse file): nothing may read it. */
async function sparseFile(file: string, bytes: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, "");
  await truncate(file, bytes);
}

describe("aliases", () => {
  it("refuses a YAML alias bomb at its first alias, naming the limit", async () => {
    const { root, issues } = await issuesFor({ ws: { "workspace.yaml": ALIAS_BOMB } });
    expect(issues).toEqual([
      {
        file: path.join(root, "ws", "workspace.yaml"),
        ...positionOf(ALIAS_BOMB, "*a"),
        path: "",
        // Exact: a rounded 1.0e+6 would read as within the limit.
        message: expect.stringMatching(/^aliases \(`\*name`\) expand this file to 490,329,056 values, more than the 1,000,000 allowed/),
      },
    ]);
  });

  it("refuses an alias inside the node it names, which would be endless", async () => {
    const text = `${SETTINGS}teams: &teams\n  - { id: t-1, name: One, members: *teams }\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ ...positionOf(text, "*teams"), message: expect.stringMatching(/inside the node it names/) });
  });

  it("loads a workspace whose accounts share one grant list through 300 aliases (the YAML library alone allowed 100)", async () => {
    const accounts = Array.from({ length: 300 }, (_, index) => `  - { id: a-${index}, name: Brand ${index}, app: X, grants: *owner }`);
    const text = `${SETTINGS}accounts:\n  - { id: a-first, name: First, app: X, grants: &owner [{ user: u-alice, role: owner }] }\n${accounts.join("\n")}\n`;
    const root = await writeWorkspaces({ ws: { "workspace.yaml": text } });
    const [workspace] = await loadWorkspaces(root);
    expect(workspace!.accounts).toHaveLength(301);
    expect(workspace!.accounts[300]!.grants).toEqual([{ user: "u-alice", role: "owner" }]);
  });
});

describe("nesting", () => {
  it(`refuses JSON nested 10,000 levels deep at level ${MAX_NESTING_DEPTH + 1}`, async () => {
    const text = deepJson(10_000);
    const { root, issues } = await issuesFor({ ws: { "snapshot.json": text } });
    const tooDeep = text.indexOf("[") + MAX_NESTING_DEPTH - 1; // the root object is the first level
    expect(issues).toEqual([
      { file: path.join(root, "ws", "snapshot.json"), line: 1, column: tooDeep + 1, path: "", message: expect.stringMatching(/nested more than 32 levels deep/) },
    ]);
  });

  it("refuses deep JSON even when it is not valid JSON (the error locator recurses too)", async () => {
    const { issues } = await issuesFor({ ws: { "snapshot.json": `{"accounts": ${"[".repeat(50_000)}` } });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/nested more than 32 levels deep/);
  });

  it("refuses YAML flow collections nested 10,000 levels deep", async () => {
    const text = `version: 1\naccounts: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/nested more than 32 levels deep/) });
  });

  it("refuses YAML nested by indentation, at the first level too deep", async () => {
    const lines = ["version: 1", "accounts:"];
    for (let level = 0; level < 200; level++) lines.push(`${"  ".repeat(level + 1)}k${level}:`);
    const text = `${lines.join("\n")} end\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(1);
    // The root mapping is level 1, `accounts`' value level 2: k30's value is level 33.
    expect(issues[0]).toMatchObject({ ...positionOf(text, "k31:"), message: expect.stringMatching(/nested more than 32 levels deep/) });
  });

  it("counts nesting with aliases expanded", async () => {
    const half = (from: number) => Array.from({ length: 20 }, (_, level) => `${"  ".repeat(level + from)}n${level}:`).join("\n");
    const text = `version: 1\n_: &deep\n${half(1)} leaf\naccounts:\n${half(1)} *deep\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ ...positionOf(text, "*deep"), message: expect.stringMatching(/nested more than 32 levels deep/) });
  });
});

describe("file size", () => {
  it("refuses a 200 MB YAML file at once, without reading it", async () => {
    const root = await writeWorkspaces({ ws: { "accounts.json": "{}" } });
    const file = path.join(root, "ws", "workspace.yaml");
    await sparseFile(file, 200 * 1024 * 1024);
    const { result: issues, cpuMs } = await withCpuTime(() => loadIssues(root));
    expect(cpuMs).toBeLessThan(2_000);
    expect(issues).toEqual([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: "file is 200 MiB; a YAML file may be at most 5 MiB (YAML is slow to parse): split it into several files, or use JSON (up to 64 MiB)",
      },
    ]);
  });

  it("gives JSON its own, larger limit", async () => {
    // 6 MiB of valid JSON (white space is JSON): over the YAML limit, well under the JSON one.
    const settings = JSON.stringify({ version: 1, workspace: { id: "ws-big", name: "Big", okta: { orgName: "acme", baseUrl: "okta.com" } } });
    const root = await writeWorkspaces({ ws: { "snapshot.json": settings + "\n".repeat(6 * 1024 * 1024) } });
    const [workspace] = await loadWorkspaces(root);
    expect(workspace!.settings.id).toBe("ws-big");

    await sparseFile(path.join(root, "ws", "more.json"), 65 * 1024 * 1024);
    const issues = await loadIssues(root);
    expect(issues).toEqual([
      expect.objectContaining({ file: path.join(root, "ws", "more.json"), line: 1, message: "file is 65 MiB; a JSON file may be at most 64 MiB: split the workspace into several files" }),
    ]);
  });
});

describe("size messages", () => {
  it("give exact bytes for a file just over the limit, never 'file is 5 MiB; at most 5 MiB'", async () => {
    const root = await writeWorkspaces({ ws: { "accounts.json": "{}" } });
    const file = path.join(root, "ws", "workspace.yaml");
    await sparseFile(file, 5 * 1024 * 1024 + 1);
    expect(await loadIssues(root)).toEqual([
      expect.objectContaining({ file, message: expect.stringMatching(/^file is 5,242,881 bytes \(5\.0 MiB\); a YAML file may be at most 5 MiB /) }),
    ]);
  });

  it("count alias expansions exactly, however close to the limit", async () => {
    // 1,001 lists of 999 numbers plus the outer list: 1,001 x 1,000 + 1 + 2 values.
    const text = `${SETTINGS}x: &x [${Array(999).fill("1").join(",")}]\ny: [${Array(1001).fill("*x").join(",")}]\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues[0]!.message).toMatch(/^aliases \(`\*name`\) expand this file to 1,00\d,\d{3} values, more than the 1,000,000 allowed/);
    expect(issues[0]!.message).not.toMatch(/e\+/);
  });
});

describe("encoding", () => {
  it("refuses bytes that are not UTF-8 at their line and column, in YAML and in JSON", async () => {
    const root = await writeWorkspaces({});
    await mkdir(path.join(root, "ws"));
    const yamlFile = path.join(root, "ws", "workspace.yaml");
    const yamlText = Buffer.concat([Buffer.from(`${SETTINGS}accounts:\n  - id: a-1\n    name: "Caf`), Buffer.from([0xe9]), Buffer.from(` au lait"\n    app: X\n`)]);
    await writeFile(yamlFile, yamlText);
    const jsonFile = path.join(root, "ws", "more.json");
    const jsonText = Buffer.concat([Buffer.from('{\n  "teams": [{ "id": "t-1", "name": "'), Buffer.from([0xff, 0xfe]), Buffer.from('" }]\n}\n')]);
    await writeFile(jsonFile, jsonText);
    const issues = await loadIssues(root);
    const message = expect.stringMatching(/^not valid UTF-8/);
    expect(issues).toEqual([
      { file: jsonFile, ...positionOf(jsonText.toString("utf8"), "\uFFFD"), path: "", message },
      { file: yamlFile, ...positionOf(yamlText.toString("utf8"), "\uFFFD"), path: "", message },
    ]);
  });
});

describe("values and problems", () => {
  it("refuses a YAML file of more than 1,000,000 values while lexing it, before building its tree", async () => {
    // Two bytes per value: well under the size limit, and the parser's cost is per value.
    const text = `version: 1\nusers: [${"1,".repeat(1_000_001)}]\n`;
    const { result: { issues }, cpuMs } = await withCpuTime(() => issuesFor({ ws: { "workspace.yaml": text } }));
    expect(cpuMs).toBeLessThan(30_000);
    expect(issues).toEqual([expect.objectContaining({ line: 2, path: "", message: expect.stringMatching(/^more than 1,000,000 values \(keys included\) in one YAML file/) })]);
  });

  it("refuses a JSON file of more than 10,000,000 values", async () => {
    const { issues } = await issuesFor({ ws: { "snapshot.json": `[${"1,".repeat(10_000_000)}1]` } });
    expect(issues).toEqual([expect.objectContaining({ line: 1, path: "", message: "more than 10,000,000 values in one JSON file: split it into several files" })]);
  });

  it("stops validating a file after 100 problems and says so", async () => {
    const text = `version: 1\nusers:\n${"  - {}\n".repeat(1_000)}`;
    const { root, issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(101);
    expect(issues[0]).toMatchObject({ line: 3, path: "users[0].id", message: "is required" });
    expect(issues[100]).toEqual({ file: path.join(root, "ws", "workspace.yaml"), line: 1, column: 1, path: "", message: "validation of this file stopped after 100 problems: fix these first" });
  });

  it("reports the first error of a YAML file of five million syntax errors, and that more follow, at once", async () => {
    const { result: { issues }, cpuMs } = await withCpuTime(() => issuesFor({ ws: { "workspace.yaml": "]".repeat(5_000_000) } }));
    expect(cpuMs).toBeLessThan(10_000);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/^YAML syntax: .*\(99 or more further YAML errors after it/) });
  });

  it("lists at most 1,000 problems in one run, then how many more there are", async () => {
    const accounts = Array.from({ length: 1_500 }, (_, index) => `  - { id: a-${index}, name: A, app: X, grants: [{ user: u-nobody, role: owner }] }`);
    const root = await writeWorkspaces({ ws: { "workspace.yaml": `${SETTINGS}accounts:\n${accounts.join("\n")}\n` } });
    const issues = await loadIssues(root);
    expect(issues).toHaveLength(1_001);
    expect(issues[1_000]).toEqual({ file: root, line: 1, column: 1, path: "", message: "and 500 more problems not shown" });
  });

  it("locates every JSON field exactly where a tree of the whole file would", () => {
    const text = JSON.stringify(
      {
        version: 1,
        workspace: { id: "ws-a", name: "A", okta: { orgName: "acme", baseUrl: "okta.com", rateLimit: { maxRetries: 3 } } },
        users: [{ id: "u-1", email: "a@b.example", workspaceRole: "owner" }, { id: "u-2", email: "c@d.example", workspaceRole: "user" }],
        teams: [],
        accounts: [
          { id: "a-1", name: "N", app: "X", grants: [{ user: "u-1", role: "owner" }, { team: "t-1", role: "collaborator" }], okta: { extendedBy: "u-1", extendedAt: "2026-01-01T00:00:00Z" } },
          { id: "a-2", name: "M", app: "Y" },
        ],
      },
      null,
      2,
    );
    const source = parseSourceFile("snapshot.json", text);
    const tree = parseTree(text)!;
    const expected = (fieldPath: (string | number)[]) => {
      for (let length = fieldPath.length; length > 0; length--) {
        const node = findNodeAtLocation(tree, fieldPath.slice(0, length));
        if (node) return offsetPosition(text, (node.parent?.type === "property" ? node.parent.children![0]! : node).offset);
      }
      return offsetPosition(text, tree.offset);
    };
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, at: (string | number)[]) => {
      paths.push(at, [...at, "missing"], [...at, 99]);
      if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...at, index]));
      else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) walk(item, [...at, key]);
    };
    walk(JSON.parse(text), []);
    for (const fieldPath of paths) expect(source.locate(fieldPath), JSON.stringify(fieldPath)).toEqual(expected(fieldPath));
  });
});

function offsetPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

describe("cerby-okta validate on hostile input", () => {
  it("reports every hostile file in one run with exit status 1, no crash, in bounded time and memory", async () => {
    const root = await writeWorkspaces({
      bomb: { "workspace.yaml": ALIAS_BOMB },
      "deep-json": { "snapshot.json": deepJson(10_000) },
      "deep-yaml": { "workspace.yaml": `version: 1\naccounts: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n` },
      fine: { "workspace.yaml": SETTINGS.replace("ws-test", "ws-fine") },
    });
    await sparseFile(path.join(root, "huge", "workspace.yaml"), 200 * 1024 * 1024);
    const run = await runCli(["validate", "--workspaces", root], { cwd: root });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^error: 4 problems in the workspace input:/);
    expect(run.stderr).toContain("bomb/workspace.yaml:3:8: aliases");
    expect(run.stderr).toMatch(/deep-json\/snapshot\.json:1:\d+: lists and mappings nested more than 32 levels deep/);
    expect(run.stderr).toMatch(/deep-yaml\/workspace\.yaml:2:\d+: lists and mappings nested more than 32 levels deep/);
    expect(run.stderr).toContain("huge/workspace.yaml:1:1: file is 200 MiB; a YAML file may be at most 5 MiB");
    expect(run.seconds).toBeLessThan(20); // about 1.5 s on the project's machine; the 200 MB file alone used to take 79 s
    expect(run.peakMegabytes).toBeLessThan(300);
  });
});
