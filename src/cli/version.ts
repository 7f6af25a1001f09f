// The version in package.json, found by walking up from this module (which
// may run from a compiled copy elsewhere in the package).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "cerby-okta" && manifest.version) return manifest.version;
    } catch {
      // Not here: one folder up.
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}
