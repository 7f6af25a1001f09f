// The repository's root folder, whether this code runs from its TypeScript
// sources (vitest) or compiled under dist/ (`npm run sandbox`, the
// benchmarks): the nearest folder upwards that holds package.json.
import { existsSync } from "node:fs";
import path from "node:path";

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(import.meta.dirname);
