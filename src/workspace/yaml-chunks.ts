// Incremental YAML reading for watch mode. Parsing a 500-account YAML file
// with the `yaml` library costs ~100 ms or more; an edit usually touches one
// list item. So a file is cut, by its text, into the top-level header (version,
// workspace, ...) and the items of its top-level `users`, `teams` and
// `accounts` block lists; each piece is parsed on its own and cached by its
// exact text, so an edit re-parses only the items whose text changed.
//
// This is only a fast path: whenever the file uses a construct whose meaning
// could span pieces (anchors, aliases, tags, directives, several documents,
// odd indentation, a repeated key), or any piece fails to parse, it gives up
// (returns undefined) and the caller parses the whole file the ordinary way,
// which also produces the exact error messages and locations.
import { parseYamlWithinLimits } from "../workspace/yaml-text.ts";

const LIST_KEYS: ReadonlySet<string> = new Set(["users", "teams", "accounts"]);

/** Parsed pieces by their exact text, from the previous version of the same file. */
export type ChunkCache = Map<string, unknown>;

export interface ChunkedYaml {
  readonly data: Record<string, unknown>;
  /** The pieces of this version, to pass as `previous` next time. */
  readonly cache: ChunkCache;
  /** How many pieces had to be parsed (the others came from the cache). */
  readonly parsedPieces: number;
}

// `&anchor`, `*alias`, `!tag` at the start of a node; conservative: also
// matches inside quoted text, which only costs the fast path.
const NODE_PROPERTY = /(^|[\s[{,:-])[&*!][^\s,\]}]/m;
const DIRECTIVE_OR_DOCUMENT = /^(%|---|\.\.\.)/m;
const TOP_LEVEL_KEY = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*))?$/;

export function parseYamlChunked(text: string, previous?: ChunkCache): ChunkedYaml | undefined {
  if (NODE_PROPERTY.test(text) || DIRECTIVE_OR_DOCUMENT.test(text) || text.includes("\t") || text.includes("\r")) return undefined;
  const lines = text.split("\n");
  const headerLines: string[] = [];
  const lists = new Map<string, string[]>();
  let list: { key: string; chunks: string[]; indent: number; current: string[] | undefined } | undefined;

  const closeList = () => {
    if (!list) return true;
    if (list.current) list.chunks.push(list.current.join("\n"));
    const ok = list.chunks.length > 0; // `accounts:` with no items is null, not []: leave it to the full parser.
    lists.set(list.key, list.chunks);
    list = undefined;
    return ok;
  };

  for (const line of lines) {
    const trimmed = line.trimStart();
    const blankOrComment = trimmed === "" || trimmed.startsWith("#");
    if (list) {
      if (blankOrComment) {
        list.current?.push(line);
        continue;
      }
      const indent = line.length - trimmed.length;
      const isItem = trimmed === "-" || trimmed.startsWith("- ");
      if (list.indent < 0) {
        if (!isItem) return undefined; // a block list must start with an item
        list.indent = indent;
      }
      if (isItem && indent === list.indent) {
        if (list.current) list.chunks.push(list.current.join("\n"));
        list.current = [line];
        continue;
      }
      if (indent > list.indent && list.current) {
        list.current.push(line);
        continue;
      }
      if (indent !== 0) return undefined;
      if (!closeList()) return undefined;
    }
    if (blankOrComment) {
      headerLines.push(line);
      continue;
    }
    if (line.startsWith(" ")) {
      headerLines.push(line); // part of the header entry above
      continue;
    }
    const key = TOP_LEVEL_KEY.exec(line);
    if (!key) return undefined;
    const [, name, value] = key;
    const blockValue = value === undefined || value.trim() === "" || value.trimStart().startsWith("#");
    if (LIST_KEYS.has(name!) && blockValue) {
      if (lists.has(name!)) return undefined; // a repeated key is an error the full parser reports
      list = { key: name!, chunks: [], indent: -1, current: undefined };
      continue;
    }
    headerLines.push(line);
  }
  if (!closeList()) return undefined;

  const header = parsePiece(headerLines.join("\n"));
  if (!header.ok) return undefined;
  if (header.value !== null && (typeof header.value !== "object" || Array.isArray(header.value))) return undefined;
  const data: Record<string, unknown> = { ...(header.value as Record<string, unknown> | null) };

  const cache: ChunkCache = new Map();
  let parsedPieces = 1;
  for (const [key, chunks] of lists) {
    if (Object.hasOwn(data, key)) return undefined;
    const items: unknown[] = [];
    for (const chunk of chunks) {
      let item = cache.get(chunk);
      if (item === undefined && !cache.has(chunk)) {
        if (previous?.has(chunk)) item = previous.get(chunk);
        else {
          const piece = parsePiece(chunk);
          parsedPieces++;
          if (!piece.ok || !Array.isArray(piece.value) || piece.value.length !== 1) return undefined;
          item = piece.value[0];
        }
        cache.set(chunk, item);
      }
      items.push(item);
    }
    data[key] = items;
  }
  return { data, cache, parsedPieces };
}

/** Through the loader's own YAML step, so that a piece meets the same limits (nesting, aliases) as a whole file. */
function parsePiece(text: string): { ok: true; value: unknown } | { ok: false } {
  const parsed = parseYamlWithinLimits(text);
  if (parsed.problems.length > 0 || parsed.document!.warnings.length > 0) return { ok: false };
  return { ok: true, value: parsed.data ?? null };
}
