// Creates a folder and its missing parents, one level at a time. Node 20's
// `mkdir(path, { recursive: true })` never returns under /proc and similar
// file systems (it loops), so a user's `--out /proc/x` would hang the command.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";

export async function ensureFolder(folder: string): Promise<void> {
  const target = path.resolve(folder);
  const missing: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    try {
      await mkdir(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") break;
      if (code === "ENOENT" && path.dirname(current) !== current && missing.length < 64) {
        missing.push(current);
        continue;
      }
      throw new UsageError(`cannot create the folder ${target}: ${(error as Error).message}`, { cause: error });
    }
    break;
  }
  // The parents were missing: create them from the top down.
  for (const current of missing.reverse()) {
    try {
      await mkdir(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new UsageError(`cannot create the folder ${target}: ${(error as Error).message}`, { cause: error });
    }
  }
}
