// Writes text files through one reused buffer, in slices. A watch writes a
// multi-megabyte data file on every change; `writeFile(string)` allocates a
// buffer of the whole file each time, and glibc keeps such freed blocks
// around, so RSS creeps up although the JS heap stays flat.
import { open } from "node:fs/promises";

/** Characters per slice: at most 3 bytes each in UTF-8 (a surrogate pair: 4 bytes for 2). */
const SLICE = 32 * 1024;

export class TextWriter {
  private readonly buffer = Buffer.allocUnsafe(SLICE * 3);

  /** Creates or truncates `file` and writes `text` as UTF-8. Not re-entrant: await each call. */
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
