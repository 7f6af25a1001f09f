// Text read and written through reused buffers (a watch runs for days).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { InputIssue } from "../../src/errors.ts";
import { TextWriter } from "../../src/files/text-writer.ts";
import { TextReader } from "../../src/workspace/read-file.ts";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";

describe("text through a reused buffer", () => {
  it("round-trips large text with multi-byte characters and surrogate pairs across slices", async () => {
    const dir = makeTempDir();
    try {
      const writer = new TextWriter();
      const reader = new TextReader();
      const piece = "\uFEFFa\u00e9\u4e16\u{1F600}";
      const texts = ["", "short", "x".repeat(32 * 1024 - 1) + "\u{1F600}" + "y", piece.repeat(200_000), "small again"];
      for (const [index, text] of texts.entries()) {
        const file = path.join(dir, `f${index}.json`);
        await writer.write(file, text);
        expect(await readFile(file, "utf8")).toBe(text);
        const issues: InputIssue[] = [];
        expect(await reader.read(file, file, issues)).toBe(text);
        expect(issues).toEqual([]);
      }
    } finally {
      await removeDir(dir);
    }
  });

  it("says why a file cannot be read instead of throwing", async () => {
    const dir = makeTempDir();
    try {
      const issues: InputIssue[] = [];
      expect(await new TextReader().read(path.join(dir, "missing.yaml"), "missing.yaml", issues)).toBeUndefined();
      expect(issues).toEqual([expect.objectContaining({ file: "missing.yaml", line: 1, message: expect.stringContaining("ENOENT") })]);
      await writeFile(path.join(dir, "big.yaml"), Buffer.alloc(6 * 1024 * 1024, 0x20));
      expect(await new TextReader().read(path.join(dir, "big.yaml"), "big.yaml", issues)).toBeUndefined();
      expect(issues[1]!.message).toMatch(/MiB/);
    } finally {
      await removeDir(dir);
    }
  });
});
