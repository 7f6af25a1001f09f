// Parses YAML text within the limits: nesting is measured on the parser's
// syntax tree before the recursive composer sees it, and aliases are expanded
// only on paper (shared nodes counted where they appear) before anything walks
// the data. Used by the loader and by the watcher's incremental reader alike.
import { Composer, LineCounter, Parser, YAMLParseError, type CST, type Document } from "yaml";
import { MAX_EXPANDED_YAML_VALUES, MAX_NESTING_DEPTH, tooDeepMessage } from "./limits.ts";
import { measureExpandedData, measureYamlTokens } from "./nesting.ts";

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
  const tokens = Array.from(new Parser(lineCounter?.addNewLine).parse(text));
  const shape = measureYamlTokens(tokens, MAX_NESTING_DEPTH);
  if (shape.tooDeepOffset !== undefined) {
    return { document: undefined, data: undefined, problems: [{ offset: shape.tooDeepOffset, message: tooDeepMessage() }] };
  }

  const document = composeOne(tokens, text.length);
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => ({ offset: error.pos[0], message: `YAML syntax: ${firstLine(error.message)}` }));
    return { document, data: undefined, problems };
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
          ? `aliases (\`*name\`) expand this file to ${size.values.toExponential(1)} values, more than the ${MAX_EXPANDED_YAML_VALUES.toLocaleString("en-US")} allowed: write the values out, or alias less`
          : size.depth > MAX_NESTING_DEPTH
            ? tooDeepMessage()
            : undefined;
    if (refusal !== undefined) return { document, data: undefined, problems: [{ offset, message: refusal }] };
  }
  return { document, data, problems: [] };
}

/** What `parseDocument` does, on tokens already parsed: one document, or an error for a second. */
function composeOne(tokens: readonly CST.Token[], length: number): Document {
  const composer = new Composer({ uniqueKeys: true });
  let document: Document | undefined;
  for (const composed of composer.compose(tokens, true, length)) {
    if (!document) document = composed;
    else {
      const [start, end] = composed.range;
      document.errors.push(new YAMLParseError([start, end], "MULTIPLE_DOCS", "Source contains multiple documents"));
      break;
    }
  }
  return document!; // compose(..., true) always yields a document
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
