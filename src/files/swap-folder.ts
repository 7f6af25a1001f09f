// Replaces a folder with a fully written one by renames, so that readers see
// either the old folder or the new one, never a half-written mix.
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Moves `staging` to `target`. The previous `target`, if any, is first moved
 * aside to `old` (a free sibling name) and removed at the end; on failure it
 * is put back. With `carryOver`, entries of the previous folder that the new
 * one lacks (Terraform's `.terraform/`, its lock file) move into the new one.
 */
export async function swapFolder(staging: string, target: string, old: string, carryOver = false): Promise<void> {
  let hadPrevious = true;
  try {
    await rename(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    hadPrevious = false;
  }
  if (hadPrevious && carryOver) {
    const fresh = new Set(await readdir(staging));
    for (const name of await readdir(old)) {
      if (!fresh.has(name)) await rename(path.join(old, name), path.join(staging, name));
    }
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (hadPrevious) await rename(old, target);
    throw error;
  }
  if (hadPrevious) await rm(old, { recursive: true, force: true });
}
