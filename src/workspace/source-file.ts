// Parses one workspace file (YAML or JSON) and maps field paths back to
// line and column, so that every error can name where it is. The limits on
// encoding, nesting and aliases are enforced here, in the one parse step every
// reader shares (loader, watcher, deprovision, project configuration).
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode } from "jsonc-parser";
import { isMap, isNode, isScalar, isSeq, LineCounter, type Document } from "yaml";
import type { InputIssue } from "../errors.ts";
import { escapeUnsafeCharacters, replacementCharacterOffset } from "../text/characters.ts";
import { isJsonFile, MAX_JSON_VALUES, MAX_NESTING_DEPTH, maxFileBytes, tooDeepMessage, tooLargeMessage } from "./limits.ts";
import { parseWellFormedJson } from "./json-quick-check.ts";
import { scanJson, type JsonOutline } from "./json-scan.ts";
import { parseYamlWithinLimits } from "./yaml-text.ts";
import { thousands } from "../text/numbers.ts";

export type FieldPath = readonly (string | number)[];

export interface SourceFile {
  /** Path as shown in messages (relative to the current directory when possible). */
  readonly file: string;
  /** The parsed content; undefined when the file has syntax errors. */
  readonly data: unknown;
  readonly syntaxIssues: readonly InputIssue[];
  /** Line and column of the field at `path`, or of its nearest existing ancestor. */
  locate(path: FieldPath): { line: number; column: number };
}

/** `accounts[3].grants[1].role`; keys as typed, with invisible and control characters escaped. */
export function formatPath(path: FieldPath): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? escapeUnsafeCharacters(part) : `.${escapeUnsafeCharacters(part)}`;
  }
  return text;
}

export function parseSourceFile(file: string, content: string): SourceFile {
  // Editors on some systems save a byte-order mark; it is not content.
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const refusal = wholeTextIssue(file, text);
  if (refusal) return { file, data: undefined, syntaxIssues: [refusal], locate: () => ({ line: refusal.line, column: refusal.column }) };
  return isJsonFile(file) ? parseJsonFile(file, text) : parseYamlFile(file, text);
}

/**
 * Why a file's text is refused as a whole, before parsing: too large (the
 * readers refuse such files before reading them; this catches any caller that
 * read one anyway), or not UTF-8. Undefined when it may be parsed.
 */
export function wholeTextIssue(file: string, text: string): InputIssue | undefined {
  const limit = maxFileBytes(file);
  // Every UTF-16 code unit is at least one byte of UTF-8.
  if (text.length > limit) return { file, line: 1, column: 1, path: "", message: tooLargeMessage(file, limit, true) };
  const badByte = replacementCharacterOffset(text);
  if (badByte !== -1) return { file, ...lineAndColumn(text, badByte), path: "", message: NOT_UTF8 };
  return undefined;
}

const NOT_UTF8 =
  "not valid UTF-8: bytes here decode to U+FFFD REPLACEMENT CHARACTER (or the file holds that character itself); save the file as UTF-8";

function parseYamlFile(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const parsed = parseYamlWithinLimits(text, lineCounter);
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxIssues = parsed.problems.map((problem) => ({
    file,
    ...position(problem.offset),
    path: "",
    message: escapeUnsafeCharacters(problem.message),
  }));
  // An empty file is an empty part of the workspace, not an error.
  const data = syntaxIssues.length > 0 ? undefined : (parsed.data ?? {});
  const document = parsed.document;
  return {
    file,
    data,
    syntaxIssues,
    locate: (path) => position(document ? yamlOffset(document, path) : 0),
  };
}

/** Walks the YAML nodes along `path` as far as they go; points at a map key rather than its value. */
function yamlOffset(doc: Document, path: FieldPath): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const part of path) {
    if (isMap(node)) {
      // Keys compare as text: `2024:` is a number to YAML, a string in the field path.
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
      node = node.items[part];
      if (isNode(node) && node.range) offset = node.range[0];
    } else break;
  }
  return offset;
}

function parseJsonFile(file: string, text: string): SourceFile {
  const lineStarts = computeLineStarts(text);
  const position = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
  const wellFormed = parseWellFormedJson(text, MAX_NESTING_DEPTH, MAX_JSON_VALUES);
  if (wellFormed) {
    // The outline (where fields start) is needed only to name where an issue is.
    let outline: JsonOutline | undefined;
    const parsePart = lastPartParser(text);
    return {
      file,
      data: wellFormed.data,
      syntaxIssues: [],
      locate: (path) => position(jsonOffset(text, (outline ??= scanJson(text, MAX_NESTING_DEPTH, MAX_JSON_VALUES).outline), path, parsePart)),
    };
  }
  const scan = scanJson(text, MAX_NESTING_DEPTH, MAX_JSON_VALUES);
  const refusal =
    scan.tooDeepOffset !== undefined
      ? { offset: scan.tooDeepOffset, message: tooDeepMessage() }
      : scan.tooManyValuesOffset !== undefined
        ? { offset: scan.tooManyValuesOffset, message: `more than ${thousands(MAX_JSON_VALUES)} values in one JSON file: split it into several files` }
        : undefined;
  if (refusal) {
    const where = position(refusal.offset);
    return { file, data: undefined, syntaxIssues: [{ file, ...where, path: "", message: refusal.message }], locate: () => where };
  }
  let data: unknown;
  let parsed = false;
  if (scan.errors.length === 0) {
    try {
      // Two orders of magnitude faster than a tree parser, which is built only when an error must be located.
      data = JSON.parse(text);
      parsed = true;
    } catch {
      // Reported below; the scan and JSON.parse should agree, but JSON.parse decides.
    }
  }
  if (!parsed) {
    // The first error is the one to fix; the ones after it mostly follow from it.
    const first = scan.errors[0];
    const issue = {
      file,
      ...position(first?.offset ?? 0),
      path: "",
      message: `JSON syntax: ${first ? printParseErrorCode(first.error) : "not valid JSON"}`,
    };
    return { file, data: undefined, syntaxIssues: [issue], locate: () => position(0) };
  }
  const parsePart = lastPartParser(text);
  return {
    file,
    data,
    syntaxIssues: scan.repeatedKeyOffsets.map((offset) => ({
      file,
      ...position(offset),
      path: "",
      message: "JSON syntax: a key repeated in the same object (JSON.parse would silently keep the last one)",
    })),
    locate: (path) => position(jsonOffset(text, scan.outline, path, parsePart)),
  };
}

/** The tree of one part of a JSON text, kept for the next call: issues come item by item. */
function lastPartParser(text: string): (start: number, end: number) => JsonNode | undefined {
  let last: { start: number; end: number; tree: JsonNode | undefined } | undefined;
  return (start, end) => {
    if (last?.start !== start || last.end !== end) last = { start, end, tree: parseTree(text.slice(start, end)) };
    return last.tree;
  };
}

/**
 * Offset of the field at `path` (its key, for a field), or of its nearest
 * existing ancestor. The outline leads to the top-level field and list item;
 * only that part is parsed into a tree.
 */
function jsonOffset(text: string, outline: JsonOutline, path: FieldPath, parsePart: (start: number, end: number) => JsonNode | undefined): number {
  const root = Math.max(outline.rootOffset, 0);
  const field = typeof path[0] === "string" ? outline.fields.get(path[0]) : undefined;
  if (!field) return root;
  if (path.length === 1) return field.keyOffset;
  // The part to parse: the field's value, or the one list item the path goes through.
  let start = field.valueStart;
  let end = field.valueEnd;
  let rest = path.slice(1);
  let fallback = field.keyOffset;
  const items = field.itemStarts;
  if (items && typeof rest[0] === "number") {
    const index = rest[0];
    if (index >= items.length) return field.keyOffset;
    start = items[index]!;
    end = index + 1 < items.length ? items[index + 1]! : field.valueEnd - 1; // up to the next item, or the closing bracket
    rest = rest.slice(1);
    fallback = start;
    if (rest.length === 0) return start;
  }
  const tree = parsePart(start, end); // recursive, but the scan has bounded the nesting
  if (!tree) return fallback;
  for (let length = rest.length; length > 0; length--) {
    const node = findNodeAtLocation(tree, rest.slice(0, length) as (string | number)[]);
    if (node) {
      // A property's key is a better pointer than its value.
      const key = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
      return start + (key ?? node).offset;
    }
  }
  return fallback;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}

/** 1-based line and column of `offset`, counting lines as the YAML and JSON parsers do (a line ends at \n). */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
