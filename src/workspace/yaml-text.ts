// Parses YAML text within the limits: nesting is measured on the parser's
// syntax tree before the recursive composer sees it, and aliases are expanded
// only on paper (shared nodes counted where they appear) before anything walks
// the data. Used by the loader and by the watcher's incremental reader alike.
import { Composer, Lexer, LineCounter, Parser, YAMLParseError, type CST, type Document } from "yaml";
import { countOf, MAX_EXPANDED_YAML_VALUES, MAX_ISSUES_PER_FILE, MAX_NESTING_DEPTH, MAX_YAML_VALUES, tooDeepMessage } from "./limits.ts";
import { measureExpandedData, measureYamlTokens } from "./nesting.ts";
import { printable } from "../text/printable.ts";
import { thousands } from "../text/numbers.ts";

export interface YamlProblem {
  readonly offset: number;
  readonly message: string;
}

export interface ParsedYaml {
  /** Undefined when the text was refused before composing. */
  readonly document: Document | undefined;
  /** The content as plain data (null for an empty text); undefined when there are problems. */
  readonly data: unknown;
  /** Syntax errors and limits exceeded; empty when `data` may be used. */
  readonly problems: readonly YamlProblem[];
}

export function parseYamlWithinLimits(text: string, lineCounter?: LineCounter): ParsedYaml {
  const lexed = lexAndParse(text, lineCounter);
  if (lexed.tooManyValuesAt !== undefined) {
    const message = `more than ${thousands(MAX_YAML_VALUES)} values (keys included) in one YAML file: split it into several files, or use JSON`;
    return { document: undefined, data: undefined, problems: [{ offset: lexed.tooManyValuesAt, message }] };
  }
  const tokens = lexed.tokens;
  const shape = measureYamlTokens(tokens, MAX_NESTING_DEPTH);
  if (shape.tooDeepOffset !== undefined) {
    return { document: undefined, data: undefined, problems: [{ offset: shape.tooDeepOffset, message: tooDeepMessage() }] };
  }

  const document = composeOne(tokens, text.length);
  if (document.errors.length > 0) {
    // The first error is the one to fix: the parser's later errors mostly follow from it (one
    // mis-indented line gives four to seven), so they are counted, not listed.
    const first = document.errors[0]!;
    const more = document.errors.length - 1;
    const message =
      `YAML syntax: ${firstLine(first.message)}` +
      indentationHint(text, first.pos[0], first.code) +
      (more > 0 ? ` (${thousands(more)}${document.errors.length >= MAX_ISSUES_PER_FILE ? " or more" : ""} further YAML error${more === 1 ? "" : "s"} after it, often caused by this one: fix it, then validate again)` : "");
    return { document, data: undefined, problems: [{ offset: first.pos[0], message }] };
  }

  // Aliases come back as shared objects: cheap here, but each later walk
  // (validation, copying) would expand them, so they are measured first. The
  // library's own alias limit (maxAliasCount) throws; ours reports.
  const data: unknown = document.toJS({ maxAliasCount: -1 });
  if (shape.firstAliasOffset !== undefined) {
    const offset = shape.firstAliasOffset;
    const size = measureExpandedData(data);
    const refusal =
      size.kind === "cycle"
        ? "an alias (`*name`) is used inside the node it names, which would make the data endless"
        : size.values > MAX_EXPANDED_YAML_VALUES
          ? `aliases (\`*name\`) expand this file to ${countOf(size.values)} values, more than the ${thousands(MAX_EXPANDED_YAML_VALUES)} allowed: write the values out, or alias less`
          : size.depth > MAX_NESTING_DEPTH
            ? tooDeepMessage()
            : undefined;
    if (refusal !== undefined) return { document, data: undefined, problems: [{ offset, message: refusal }] };
  }
  return { document, data, problems: [] };
}

/**
 * What `Parser.parse` does, counting values as they are lexed: parsing costs
 * time and memory per value, whatever the bytes (`[1,1,1,...]` holds one
 * value per two bytes), so the count, not only the size, is bounded.
 */
function lexAndParse(text: string, lineCounter: LineCounter | undefined): { tokens: CST.Token[]; tooManyValuesAt?: number } {
  const parser = new Parser(lineCounter?.addNewLine);
  lineCounter?.addNewLine(0); // as Parser.parse does first
  const tokens: CST.Token[] = [];
  let values = 0;
  let errors = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (startsValue(lexeme) && ++values > MAX_YAML_VALUES) return { tokens, tooManyValuesAt: parser.offset };
    for (const token of parser.next(lexeme)) {
      tokens.push(token);
      // Garbage such as five million `]` is five million errors: the first ones are enough.
      if (token.type === "error" && ++errors === MAX_ISSUES_PER_FILE) return { tokens };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens };
}

/** Lexemes that start a value: a plain scalar's marker, a quoted or block scalar, an alias, a flow collection. */
function startsValue(lexeme: string): boolean {
  switch (lexeme.charCodeAt(0)) {
    case 0x1f: // the lexer's mark before a plain scalar
    case 0x22: // "
    case 0x27: // '
    case 0x7c: // |
    case 0x3e: // >
    case 0x2a: // *
    case 0x5b: // [
    case 0x7b: // {
      return true;
    default:
      return false;
  }
}

/** What `parseDocument` does, on tokens already parsed: one document, or an error for a second. */
function composeOne(tokens: readonly CST.Token[], length: number): Document {
  const composer = new Composer({ uniqueKeys: true });
  let document: Document | undefined;
  // Each error the composer finds is an Error object: without a stack trace
  // it costs a few hundred bytes instead of kilobytes, and a broken file can
  // hold one per line.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const composed of composer.compose(tokens, true, length)) {
      if (!document) document = composed;
      else {
        const [start, end] = composed.range;
        document.errors.push(new YAMLParseError([start, end], "MULTIPLE_DOCS", "Source contains multiple documents"));
        break;
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return document!; // compose(..., true) always yields a document
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Parser errors that usually mean a line is indented wrongly, or a colon is missing. */
const INDENTATION_ERRORS = new Set(["BAD_INDENT", "MISSING_CHAR", "BLOCK_AS_IMPLICIT_KEY", "MULTILINE_IMPLICIT_KEY", "UNEXPECTED_TOKEN"]);

/** One line of the text: its number (from 1), its text, and how many spaces indent it. */
interface TextLine {
  readonly number: number;
  readonly text: string;
  readonly indent: number;
}

function lineAt(text: string, offset: number): TextLine {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", start);
  const line = text.slice(start, end === -1 ? text.length : end).replace(/\r$/, "");
  let number = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < start; index = text.indexOf("\n", index + 1)) number++;
  return { number, text: line, indent: line.length - line.trimStart().length };
}

/** The nearest non-blank line before (`step` -1) or after (+1) `line`. */
function neighbour(text: string, line: TextLine, step: -1 | 1): TextLine | undefined {
  const lines = text.split("\n");
  for (let index = line.number - 1 + step; index >= 0 && index < lines.length; index += step) {
    const candidate = lines[index]!.replace(/\r$/, "");
    if (candidate.trim() !== "" && !candidate.trimStart().startsWith("#")) {
      return { number: index + 1, text: candidate, indent: candidate.length - candidate.trimStart().length };
    }
  }
  return undefined;
}

/** A line of the file as a message quotes it. */
const quoted = (line: TextLine) => `\`${printable(line.text.trim(), 60)}\``;

/** `key: value`, `- key: value`, `key:`: the line holds a mapping key. */
const HAS_KEY = /^(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s#:][^#]*?):(?:\s|$)/;

/**
 * What most likely went wrong at a YAML syntax error, and what to do, for the
 * mistakes people make (a line indented too far or not far enough, a tab, a
 * missing colon). Empty for other errors.
 */
function indentationHint(text: string, offset: number, code: string): string {
  if (code === "TAB_AS_INDENT") return "; hint: indent with spaces: YAML does not allow tabs in indentation";
  if (!INDENTATION_ERRORS.has(code)) return "";
  // An error reported on a blank line is about the next one.
  const reported = lineAt(text, offset);
  const line = reported.text.trim() === "" ? neighbour(text, reported, 1) : reported;
  if (!line) return "";
  const body = line.text.trim();
  if ((code === "MULTILINE_IMPLICIT_KEY" || code === "MISSING_CHAR") && !HAS_KEY.test(body)) {
    const [key, ...rest] = body.replace(/^-\s+/, "").split(/\s+/);
    return `; hint: line ${line.number} ${quoted(line)} is not \`key: value\`: is the colon after the key missing${rest.length > 0 ? ` (\`${printable(key!, 40)}: ${printable(rest.join(" "), 40)}\`)` : ""}? A colon and a space separate a key from its value`;
  }
  const item = body.startsWith("- ") ? siblingItem(text, line) : undefined;
  if (item) {
    return `; hint: line ${line.number} starts a list item indented ${spaces(line.indent)}; the item on line ${item.number} ${quoted(item)} is indented ${spaces(item.indent)}: items of one list start in the same column`;
  }
  const next = neighbour(text, line, 1);
  // The column of the line's key: after the `- ` of a list item.
  const keyIndent = line.indent + (/^-\s+/.exec(body)?.[0].length ?? 0);
  if (code === "BLOCK_AS_IMPLICIT_KEY" && next && next.indent > keyIndent) {
    // `name: X` then a line indented further: YAML reads that line as more of X's value.
    return (
      `; hint: line ${next.number} ${quoted(next)} is indented ${spaces(next.indent)}, further than the key on line ${line.number} ${quoted(line)} (${spaces(keyIndent)}), which already has its value: ` +
      `indent line ${next.number} by ${spaces(keyIndent)} if it is a field of the same mapping (YAML nests by indentation, spaces only)`
    );
  }
  const above = neighbour(text, line, -1);
  const where = `line ${line.number} is indented ${spaces(line.indent)}${above ? `, line ${above.number} above it ${spaces(above.indent)}` : ""}`;
  return `; hint: YAML nests by indentation (spaces only): ${where}; items of one mapping or list start in the same column, and a nested one is indented further`;
}

/**
 * For a list item out of line, the item above it that it most likely belongs
 * with: of the nearest list items above (within 200 lines), the one indented
 * closest to it. None when an item above is indented as this one: it is in line.
 */
function siblingItem(text: string, line: TextLine): TextLine | undefined {
  let best: TextLine | undefined;
  let candidate = neighbour(text, line, -1);
  for (let seen = 0; candidate && seen < 200; seen++, candidate = neighbour(text, candidate, -1)) {
    if (!candidate.text.trimStart().startsWith("- ")) continue;
    if (candidate.indent === line.indent) return undefined;
    if (!best || Math.abs(candidate.indent - line.indent) < Math.abs(best.indent - line.indent)) best = candidate;
  }
  return best;
}

function spaces(count: number): string {
  return `${count} space${count === 1 ? "" : "s"}`;
}
