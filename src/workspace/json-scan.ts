// One streaming pass over JSON text before anything else reads it: syntax
// errors, keys repeated in an object (JSON.parse would silently keep the
// last), and nesting, refused past the limit before JSON.parse (slow on deep
// input: 15 s for 20 million levels) or a recursive tree parser meets it.
import { visit, type ParseError } from "jsonc-parser";

export interface JsonScan {
  /** In the order found; the first is the one to fix. */
  readonly errors: readonly ParseError[];
  /** Offsets of keys repeated within one object. */
  readonly repeatedKeyOffsets: readonly number[];
  /** Offset of the first `[` or `{` nested deeper than the limit; the scan stops there. */
  readonly tooDeepOffset: number | undefined;
}

const TOO_DEEP = Symbol("too deep");

/** About 20 ms per MB. */
export function scanJson(text: string, maxDepth: number): JsonScan {
  const errors: ParseError[] = [];
  const repeatedKeyOffsets: number[] = [];
  const keysPerObject: Set<string>[] = [];
  let depth = 0;
  let tooDeepOffset: number | undefined;
  const enter = (offset: number) => {
    if (++depth > maxDepth) {
      tooDeepOffset = offset;
      throw TOO_DEEP; // the parser recurses per level: stop it here
    }
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => {
          enter(offset);
          keysPerObject.push(new Set());
        },
        onObjectEnd: () => {
          depth--;
          keysPerObject.pop();
        },
        onArrayBegin: (offset) => enter(offset),
        onArrayEnd: () => void depth--,
        onObjectProperty: (name, offset) => {
          const keys = keysPerObject[keysPerObject.length - 1]!;
          if (keys.has(name)) repeatedKeyOffsets.push(offset);
          else keys.add(name);
        },
        onError: (error, offset, length) => void errors.push({ error, offset, length }),
      },
      { disallowComments: true, allowTrailingComma: false },
    );
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
  }
  return { errors, repeatedKeyOffsets, tooDeepOffset };
}
