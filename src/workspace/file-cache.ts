// Parsed workspace files by path, for a reader that reads again and again
// (the watcher). A file is re-read when it was reported changed or its size,
// mtime or inode moved; it is re-parsed only when its text differs; a YAML
// file re-parses only the list items whose text changed (yaml-chunks.ts).
import { stat } from "node:fs/promises";
import type { InputIssue } from "../errors.ts";
import { displayPath } from "./display-path.ts";
import { parseWorkspaceFile, type ParsedFile } from "./parse-file.ts";
import { fileIssue, fileStatsRefusal, readErrorMessage, TextReader } from "./read-file.ts";
import { parseSourceFile, wholeTextIssue, type SourceFile } from "./source-file.ts";
import { validateWorkspaceData } from "./validate-file.ts";
import { parseYamlChunked, type ChunkCache } from "./yaml-chunks.ts";

export interface CachedFile {
  readonly path: string;
  readonly stamp: string;
  readonly text: string;
  /** Undefined when the file has problems (then `issues` lists them). */
  readonly parsed: ParsedFile | undefined;
  readonly issues: readonly InputIssue[];
  readonly chunks: ChunkCache | undefined;
}

export type ReadOutcome =
  | { readonly kind: "unchanged"; readonly entry: CachedFile }
  | { readonly kind: "changed"; readonly entry: CachedFile }
  | { readonly kind: "gone" };

function stampOf(stats: { mtimeMs: number; size: number; ino: number; ctimeMs: number }): string {
  return `${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}:${stats.ino}`;
}

export class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private readonly reader = new TextReader();

  /**
   * Reads `file` (the real file `target`, for a link) unless it is cached
   * with the same stamp and not `forced`. Not re-entrant: await each call.
   */
  async read(file: string, target: string, forced: boolean): Promise<ReadOutcome> {
    const cached = this.entries.get(file);
    const shown = displayPath(file);
    let stamp = ""; // until stat answers
    let text: string | undefined;
    const issues: InputIssue[] = [];
    try {
      const stats = await stat(target);
      stamp = stampOf(stats);
      if (cached && !forced && cached.stamp === stamp) return { kind: "unchanged", entry: cached };
      // The loader's own checks: not a regular file, or too large to read.
      const refusal = fileStatsRefusal(shown, stats);
      if (refusal) return this.refused(file, stamp, refusal);
      text = await this.reader.read(target, shown, issues);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        this.entries.delete(file);
        return { kind: "gone" };
      }
      // Unreadable (permissions): a problem with the input like any other, not the end of the watch.
      return this.refused(file, stamp, fileIssue(shown, readErrorMessage(error)));
    }
    if (text === undefined) return this.refused(file, stamp, ...issues);
    if (cached && cached.text === text) {
      const entry = { ...cached, stamp };
      this.entries.set(file, entry);
      return { kind: "unchanged", entry };
    }
    const entry = parseFile(file, text, stamp, cached?.chunks);
    this.entries.set(file, entry);
    return { kind: "changed", entry };
  }

  private refused(file: string, stamp: string, ...issues: InputIssue[]): ReadOutcome {
    const entry: CachedFile = { path: file, stamp, text: "", parsed: undefined, issues, chunks: undefined };
    this.entries.set(file, entry);
    return { kind: "changed", entry };
  }

  /** Forgets every file not in `keep`. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const file of this.entries.keys()) if (!keep.has(file)) this.entries.delete(file);
  }
}

function parseFile(file: string, text: string, stamp: string, previousChunks?: ChunkCache): CachedFile {
  // Checks on the whole text (size, encoding) come first, as in the ordinary path.
  if (/\.ya?ml$/i.test(file) && wholeTextIssue(displayPath(file), text) === undefined) {
    const chunked = parseYamlChunked(text, previousChunks);
    if (chunked) {
      const result = validateWorkspaceData(chunked.data);
      if (result.ok) {
        const parsed: ParsedFile = { source: lazySource(displayPath(file), text, chunked.data), content: result.content };
        return { path: file, stamp, text, parsed, issues: [], chunks: chunked.cache };
      }
    }
  }
  // The ordinary path: exact messages and locations for every problem.
  const issues: InputIssue[] = [];
  const parsed = parseWorkspaceFile(file, text, issues);
  return { path: file, stamp, text, parsed: issues.length === 0 ? parsed : undefined, issues, chunks: undefined };
}

/** A SourceFile whose location index is built only when a message needs a line number. */
function lazySource(file: string, text: string, data: unknown): SourceFile {
  let full: SourceFile | undefined;
  return {
    file,
    data,
    syntaxIssues: [],
    locate(path) {
      full ??= parseSourceFile(file, text);
      return full.locate(path);
    },
  };
}
