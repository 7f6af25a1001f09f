// The incremental reader's YAML fast path: a file cut into its list items,
// each parsed alone and cached by its text. It must read exactly what the
// full parser reads, and give up whenever it could not.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { FileCache, type CachedFile } from "../../src/workspace/file-cache.ts";
import { parseSourceFile } from "../../src/workspace/source-file.ts";
import { parseYamlChunked } from "../../src/workspace/yaml-chunks.ts";
import { accountsFileYaml, makeTempDir, removeDir, settingsYaml } from "../../harness/workspace-fixture.ts";

const EXAMPLE_WORKSPACES = path.resolve(import.meta.dirname, "../../workspaces");
const dir = makeTempDir();
afterAll(() => removeDir(dir));

function fullParse(text: string): unknown {
  return parseDocument(text, { uniqueKeys: true }).toJS() ?? {};
}

/** A YAML text read as the watcher reads a changed file. */
async function readThroughCache(text: string): Promise<CachedFile> {
  const file = path.join(dir, "accounts.yaml");
  await writeFile(file, text);
  const outcome = await new FileCache().read(file, file, true);
  if (outcome.kind === "gone") throw new Error("gone");
  return outcome.entry;
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

  it("falls back to the ordinary parser for exact messages", async () => {
    const parsed = await readThroughCache("accounts:\n  - id: a-1\n    name: A\n    app: X\n    grants: [{ user: u-1, role: boss }]\n");
    expect(parsed.parsed).toBeUndefined();
    expect(parsed.issues).toEqual([expect.objectContaining({ line: 5, path: "accounts[0].grants[0].role" })]);
  });

  it("locates fields of a file read through the fast path", async () => {
    const text = accountsFileYaml(0, 3, 10, 4);
    const parsed = await readThroughCache(text);
    expect(parsed.chunks).toBeDefined();
    const where = parsed.parsed!.source.locate(["accounts", 2, "grants", 1, "user"]);
    expect(where).toEqual(parseSourceFile("accounts.yaml", text).locate(["accounts", 2, "grants", 1, "user"]));
    expect(text.split("\n")[where.line - 1]).toContain("u-3, role: collaborator");
  });
});
