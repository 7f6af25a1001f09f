// Creating folders without Node's recursive mkdir, which never returns under /proc.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { ensureFolder } from "../../src/files/ensure-folder.ts";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";

describe("ensureFolder", () => {
  it("creates missing parents and accepts a folder that exists", async () => {
    const dir = makeTempDir();
    try {
      const deep = path.join(dir, "a", "b", "c");
      await ensureFolder(deep);
      await ensureFolder(deep);
      expect(existsSync(deep)).toBe(true);
    } finally {
      await removeDir(dir);
    }
  });

  it.skipIf(!existsSync("/proc/self"))("refuses a folder under /proc at once, with a usage error", async () => {
    const started = Date.now();
    await expect(ensureFolder("/proc/cerby-okta-test/out")).rejects.toBeInstanceOf(UsageError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
