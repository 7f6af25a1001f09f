// Reads one workspace file from disk as text, or says why it cannot: not a
// regular file, over the size limit (refused before reading a byte), or not
// readable. Each reason is an input problem naming the file, so that one run
// reports every file at once instead of stopping at the first.
import type { Stats } from "node:fs";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { InputIssue } from "../errors.ts";
import { maxFileBytes, tooLargeMessage } from "./limits.ts";

/**
 * Reads workspace files as UTF-8 through one buffer, reused from file to file
 * and grown as needed (never past the size limit). A watch runs for days and
 * reads multi-megabyte files on every change: a fresh buffer per read makes
 * glibc keep freed blocks around, so RSS creeps up although the JS heap stays
 * flat. One reader per owner; not re-entrant: await each call.
 */
export class TextReader {
  private buffer = Buffer.allocUnsafe(256 * 1024);

  /** Reads `file` (shown as `shownAs`), or appends the reason it cannot be read to `issues`. */
  async read(file: string, shownAs: string, issues: InputIssue[]): Promise<string | undefined> {
    let handle;
    try {
      // Non-blocking, so that a named pipe is refused instead of waiting for a writer.
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      issues.push(fileIssue(shownAs, readErrorMessage(error)));
      return undefined;
    }
    try {
      // The size of what was opened, not of what a path named a moment before.
      const stats = await handle.stat();
      const refusal = fileStatsRefusal(shownAs, stats);
      if (refusal) {
        issues.push(refusal);
        return undefined;
      }
      const limit = maxFileBytes(shownAs);
      // Grown if the file grows while it is read, never past the limit.
      if (this.buffer.length < Math.min(stats.size, limit) + 1) this.buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          if (length > limit) {
            issues.push(fileIssue(shownAs, tooLargeMessage(shownAs, limit, true)));
            return undefined;
          }
          const bigger = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, limit + 1));
          this.buffer.copy(bigger, 0, 0, length);
          this.buffer = bigger;
        }
        const { bytesRead } = await handle.read(this.buffer, length, this.buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return this.buffer.toString("utf8", 0, length);
    } catch (error) {
      issues.push(fileIssue(shownAs, readErrorMessage(error)));
      return undefined;
    } finally {
      await handle.close();
    }
  }
}

/** Why a file with these stats is not read (not a regular file, or too large), or undefined. */
export function fileStatsRefusal(shownAs: string, stats: Pick<Stats, "size" | "isFile" | "isDirectory">): InputIssue | undefined {
  if (!stats.isFile()) {
    return fileIssue(shownAs, `not a regular file (${stats.isDirectory() ? "a folder" : "a device, socket or pipe"}): only files are read`);
  }
  if (stats.size > maxFileBytes(shownAs)) return fileIssue(shownAs, tooLargeMessage(shownAs, stats.size, false));
  return undefined;
}

/** An error from opening or reading a file, in words. */
export function readErrorMessage(error: unknown): string {
  return `cannot read the file: ${errorReason(error)}`;
}

/** A file-system error in words, with its code for searching: `permission denied (EACCES)`. */
export function errorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "ENOENT"
        ? "it does not exist (removed meanwhile?)"
        : code === "ELOOP"
          ? "too many symbolic links (a loop?)"
          : code === "EISDIR"
            ? "it is a folder"
            : (error as Error).message;
  return code ? `${reason} (${code})` : reason;
}

/** A problem with a file as a whole: it points at the file's first line. */
export function fileIssue(shownAs: string, message: string): InputIssue {
  return { file: shownAs, line: 1, column: 1, path: "", message };
}
