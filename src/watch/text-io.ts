// Reading and writing text through one reused buffer per owner. A watch runs
// for days and writes a multi-megabyte data file on every change; `readFile`
// and `writeFile(string)` allocate a buffer of the whole file each time, and
// glibc keeps such freed blocks around (its mmap threshold rises after each
// one), so the process's RSS creeps up although the JS heap stays flat.
// Going through a reused buffer in slices keeps RSS flat (bench/watch-bench.ts).
import { open } from "node:fs/promises";

/** Characters per slice: at most 3 bytes each in UTF-8 (surrogate pairs: 4 bytes for 2). */
const SLICE = 32 * 1024;

export class TextIO {
  private buffer = Buffer.allocUnsafe(256 * 1024);

  /** Reads a whole file as UTF-8. Not re-entrant: callers await each call. */
  async read(file: string): Promise<string> {
    const handle = await open(file, "r");
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
          this.buffer.copy(bigger, 0, 0, length);
          this.buffer = bigger;
        }
        const { bytesRead } = await handle.read(this.buffer, length, this.buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      // Like readFile(file, "utf8"): a byte-order mark stays in the text.
      return this.buffer.toString("utf8", 0, length);
    } finally {
      await handle.close();
    }
  }

  /** Creates or truncates `file` and writes `text` as UTF-8. Not re-entrant. */
  async write(file: string, text: string): Promise<void> {
    const handle = await open(file, "w");
    try {
      for (let start = 0; start < text.length; ) {
        let end = Math.min(text.length, start + SLICE);
        // Never split a surrogate pair.
        if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
        const bytes = this.buffer.write(text.slice(start, end), 0, "utf8");
        let written = 0;
        while (written < bytes) written += (await handle.write(this.buffer, written, bytes - written)).bytesWritten;
        start = end;
      }
    } finally {
      await handle.close();
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
