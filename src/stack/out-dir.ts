// The output folder (`--out`, default cdktf.out) is replaced wholesale on
// every synth, so it must be a folder we made: a marker file says so. Any
// other non-empty folder, or one holding the workspaces or the project, is
// refused before anything is written.
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";

/** Present in every output folder synth writes. */
export const OUT_MARKER = ".cerby-okta-out";
export const OUT_MARKER_TEXT = "Written by cerby-okta synth: this folder is replaced as a whole at every synth. Keep nothing else here.\n";

/** What an output folder written by cdktf (or by an older cerby-okta) holds, so that it may be taken over. */
const CDKTF_OUTPUT_ENTRIES = new Set(["manifest.json", "stacks", OUT_MARKER]);

export interface ProtectedPaths {
  /** Folders and files the output folder must neither be nor contain, nor sit inside of, with what they are. */
  readonly keep: readonly { readonly path: string; readonly what: string }[];
}

const inside = (child: string, parent: string) => {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

/** Throws a UsageError unless `outDir` may be replaced by synth. */
export async function checkOutDir(outDir: string, protectedPaths: ProtectedPaths): Promise<void> {
  const target = path.resolve(outDir);
  for (const kept of protectedPaths.keep) {
    const other = path.resolve(kept.path);
    if (inside(other, target)) {
      throw new UsageError(`--out ${outDir} would replace ${kept.what} (${other}): synth replaces its output folder as a whole; choose a folder of its own, such as cdktf.out`);
    }
    if (kept.what.startsWith("the workspaces") && inside(target, other)) {
      throw new UsageError(`--out ${outDir} is inside ${kept.what} (${other}): the stacks would be read as workspace files; choose a folder outside it`);
    }
  }
  let entries: string[];
  try {
    const stats = await lstat(target);
    if (!stats.isDirectory()) throw new UsageError(`--out ${outDir} is ${stats.isSymbolicLink() ? "a symbolic link" : "a file"}, not a folder: choose a folder for the synthesized stacks`);
    entries = await readdir(target);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw new UsageError(`cannot use --out ${outDir}: ${(error as Error).message}`, { cause: error });
  }
  if (entries.length === 0 || entries.includes(OUT_MARKER)) return;
  if (entries.every((entry) => CDKTF_OUTPUT_ENTRIES.has(entry))) return;
  const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", ..." : "");
  throw new UsageError(
    `--out ${outDir} holds files synth did not write (${shown}) and no ${OUT_MARKER} marker: synth replaces its output folder as a whole, so it refuses; choose an empty or new folder`,
  );
}
