// The watch mode's pieces that need no file watcher.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { DesiredByOrg } from "../../src/watch/desired-by-org.ts";
import { describeChanges, stackChanged } from "../../src/watch/diff.ts";
import { parseFile } from "../../src/watch/file-cache.ts";
import { StackWriter, SyncAborted } from "../../src/watch/stack-writer.ts";
import { TextIO } from "../../src/watch/text-io.ts";
import { parseYamlChunked } from "../../src/watch/yaml-chunks.ts";
import { parseSourceFile } from "../../src/workspace/source-file.ts";
import { accountsFileYaml, generateWorkspace, makeTempDir, removeDir, settingsYaml } from "../../harness/workspace-fixture.ts";
import { EXAMPLE_WORKSPACES } from "./helpers.ts";

function fullParse(text: string): unknown {
  return parseDocument(text, { uniqueKeys: true }).toJS() ?? {};
}

describe("chunked YAML reading", () => {
  const samples: Record<string, string> = {
    generated: accountsFileYaml(0, 30, 10, 4),
    settings: settingsYaml({ id: "ws-x", users: 5, teams: 3 }),
    zeroIndent: "version: 1\naccounts:\n- id: a-1\n  name: A\n  app: X\n# between\n- id: a-2\n  name: 'B: c'\n  app: \"Y\\u0007\"\nusers: []\n",
    blockScalars: "accounts:\n  - id: a-1\n    name: |\n      two\n      lines\n    app: >-\n      folded\n      text\n\n\n  - id: a-2   # comment\n    name: \"multi\n      line\"\n    app: X\n",
    flowItems: "teams:\n  - { id: t-1, name: One, members: [u-1, u-2] }\n  - {id: t-2, name: Two}\nversion: 1\n",
    empty: "",
    commentsOnly: "# nothing yet\n",
  };
  for (const [name, text] of Object.entries(samples)) {
    it(`reads ${name} as the full parser does`, () => {
      const chunked = parseYamlChunked(text);
      expect(chunked).toBeDefined();
      expect(chunked!.data).toEqual(fullParse(text));
    });
  }

  it("reads the example workspaces through the fast path", async () => {
    for (const file of ["acme/workspace.yaml", "acme/accounts.yaml", "labs/workspace.yaml"]) {
      const text = await readFile(path.join(EXAMPLE_WORKSPACES, file), "utf8");
      const chunked = parseYamlChunked(text);
      expect(chunked, file).toBeDefined();
      expect(chunked!.data).toEqual(fullParse(text));
    }
  });

  it("gives up on anchors, aliases, tags, several documents, repeated keys, empty lists and odd layout", () => {
    for (const text of [
      "accounts:\n  - &a { id: a-1 }\n  - *a\n",
      "accounts:\n  - !!map { id: a-1 }\n",
      "---\naccounts:\n  - id: a-1\n",
      "accounts:\n  - id: a-1\naccounts:\n  - id: a-2\n",
      "accounts:\nversion: 1\n",
      "accounts:\n    - id: a-1\n  - id: a-2\n",
      "accounts:\n  - id: a-1\n\tname: x\n",
      "accounts:\n  - id: [a-1\n",
    ]) {
      expect(parseYamlChunked(text), text).toBeUndefined();
    }
  });

  it("re-parses only the items whose text changed", () => {
    const before = accountsFileYaml(0, 100, 10, 4);
    const first = parseYamlChunked(before)!;
    expect(first.parsedPieces).toBe(101);
    const after = accountsFileYaml(0, 100, 10, 4, new Map([[42, 1]]));
    const second = parseYamlChunked(after, first.cache)!;
    expect(second.parsedPieces).toBe(2); // the header and account 42
    expect(second.data).toEqual(fullParse(after));
  });

  it("falls back to the ordinary parser for exact messages", () => {
    const parsed = parseFile("/tmp/x/accounts.yaml", "accounts:\n  - id: a-1\n    name: A\n    app: X\n    grants: [{ user: u-1, role: boss }]\n", "s");
    expect(parsed.parsed).toBeUndefined();
    expect(parsed.issues).toEqual([expect.objectContaining({ line: 5, path: "accounts[0].grants[0].role" })]);
  });

  it("locates fields of a file read through the fast path", () => {
    const text = accountsFileYaml(0, 3, 10, 4);
    const parsed = parseFile("/tmp/x/accounts.yaml", text, "s");
    expect(parsed.chunks).toBeDefined();
    const where = parsed.parsed!.source.locate(["accounts", 2, "grants", 1, "user"]);
    expect(where).toEqual(parseSourceFile("accounts.yaml", text).locate(["accounts", 2, "grants", 1, "user"]));
    expect(text.split("\n")[where.line - 1]).toContain("u-3, role: collaborator");
  });
});

describe("desired state by Okta org", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("equals computeDesiredState, and reuses orgs whose workspaces did not change", async () => {
    await generateWorkspace(dir, { id: "ws-a", accounts: 40, files: 2, users: 10, teams: 4, orgName: "acme" });
    await generateWorkspace(dir, { id: "ws-b", accounts: 40, files: 2, users: 10, teams: 4, orgName: "acme" });
    await generateWorkspace(dir, { id: "ws-c", accounts: 40, files: 2, users: 10, teams: 4, orgName: "other" });
    const workspaces = [...(await loadWorkspaces(EXAMPLE_WORKSPACES)), ...(await loadWorkspaces(dir))];
    const byOrg = new DesiredByOrg();
    const first = byOrg.compute(workspaces);
    expect(first).toEqual(computeDesiredState(workspaces).workspaces);
    expect(first.find((workspace) => workspace.id === "ws-b")!.chiclets.some((chiclet) => / \(2\)$/.test(chiclet.label))).toBe(true);
    const changed = workspaces.map((workspace) => (workspace.settings.id === "ws-c" ? { ...workspace, accounts: workspace.accounts.slice(1) } : workspace));
    const second = byOrg.compute(changed);
    expect(second).toEqual(computeDesiredState(changed).workspaces);
    expect(second.find((workspace) => workspace.id === "ws-a")).toBe(first.find((workspace) => workspace.id === "ws-a"));
    expect(second.find((workspace) => workspace.id === "ws-c")).not.toBe(first.find((workspace) => workspace.id === "ws-c"));
  });
});

describe("changes in Okta terms", () => {
  it("reports relabels, viewers and chiclets, escaping control characters", async () => {
    const [before] = computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES)).workspaces;
    const chiclet = before!.chiclets[0]!;
    const after = {
      ...before!,
      chiclets: [{ ...chiclet, label: "Evil\u001b[2J - X", users: [...chiclet.users.slice(1), "u-frank"] }, ...before!.chiclets.slice(2)],
    };
    expect(stackChanged(before!, before!)).toBe(false);
    expect(stackChanged(before!, after)).toBe(true);
    const lines = describeChanges(before, after);
    expect(lines[0]).toBe(`~ relabel "${chiclet.label}" -> "Evil\\u001b[2J - X" (account ${chiclet.accountId})`);
    expect(lines).toContain("+ u-frank sees Evil\\u001b[2J - X");
    expect(lines).toContain(`- chiclet ${before!.chiclets[1]!.label} (account ${before!.chiclets[1]!.accountId})`);
    expect(lines.join("\n")).not.toContain("\u001b");
  });
});

describe("stack writer", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("writes nothing when stopped before the swap, and recovers a stack caught mid-swap", async () => {
    const state = computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES));
    const synced = state.workspaces.filter((workspace) => workspace.synced);
    const writer = new StackWriter(dir);
    const stopped = new AbortController();
    stopped.abort();
    await expect(writer.write(synced, stopped.signal)).rejects.toBeInstanceOf(SyncAborted);
    expect(existsSync(path.join(dir, "stacks", "ws-acme"))).toBe(false);
    expect(await readdir(path.join(dir, "stacks"))).toEqual([]);

    await writer.write(synced, new AbortController().signal);
    const data = await readFile(path.join(dir, "stacks", "ws-acme", "cerby-okta.json"), "utf8");
    // A crash between the two renames of a swap: the old folder is back on the next start.
    const { rename } = await import("node:fs/promises");
    await rename(path.join(dir, "stacks", "ws-acme"), path.join(dir, "stacks", ".ws-acme.old-1-abcd1234"));
    await mkdir(path.join(dir, "stacks", ".ws-acme-eu.staging-1-abcd1234"));
    await writeFile(path.join(dir, "stacks", ".ws-acme-eu.staging-1-abcd1234", "cdk.tf.json"), "{");
    await new StackWriter(dir).recover();
    expect((await readdir(path.join(dir, "stacks"))).sort()).toEqual(["ws-acme", "ws-acme-eu"]);
    expect(await readFile(path.join(dir, "stacks", "ws-acme", "cerby-okta.json"), "utf8")).toBe(data);
  });
});

describe("text through a reused buffer", () => {
  it("round-trips large text with multi-byte characters and surrogate pairs across slices", async () => {
    const dir = makeTempDir();
    try {
      const io = new TextIO();
      const piece = "\uFEFFa\u00e9\u4e16\u{1F600}".repeat(1);
      const texts = ["", "short", "x".repeat(32 * 1024 - 1) + "\u{1F600}" + "y", piece.repeat(200_000)];
      for (const [index, text] of texts.entries()) {
        const file = path.join(dir, `f${index}.txt`);
        await io.write(file, text);
        expect(await readFile(file, "utf8")).toBe(text);
        expect(await io.read(file)).toBe(text);
      }
    } finally {
      await removeDir(dir);
    }
  });
});
