// Writing files so that a reader never sees half of one: write a temporary
// file beside the target, flush it, then rename over the target (or, to never
// replace a file, link it into place).
import { randomBytes } from "node:crypto";
import { link, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ExternalError } from "../errors.ts";

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await placeWhole(path, content, (temp) => rename(temp, path));
}

/** Writes `content` to `path` only if no file is there, whole or not at all; false when one was (it is kept). */
export async function writeFileIfAbsent(path: string, content: string): Promise<boolean> {
  let written = true;
  await placeWhole(path, content, async (temp) => {
    try {
      await link(temp, path); // fails when the name exists: never replaces
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      written = false;
    }
    await unlink(temp).catch(() => undefined);
  });
  return written;
}

/** Writes `content` to a flushed temporary file beside `path`, then hands it to `place`; the temporary file never stays behind on failure. */
async function placeWhole(path: string, content: string, place: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await place(temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new ExternalError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
