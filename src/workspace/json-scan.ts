// One streaming pass over JSON text before anything else reads it: syntax
// errors, keys repeated in an object (JSON.parse would silently keep the
// last), nesting and the number of values, each refused past its limit before
// JSON.parse (15 s for 20 million levels) or a recursive tree parser meets it.
// It also notes where the top-level fields and their list items start, so
// that an error is located by parsing one item, not a tree of the whole file
// (some 150 bytes per value: gigabytes for a large file).
import { visit, type ParseError } from "jsonc-parser";

/** Where the parts of the top level are, as offsets into the text. */
export interface JsonOutline {
  /** Where the top-level value starts (-1 when there is none). */
  readonly rootOffset: number;
  /** The top-level object's fields, first occurrence of each. */
  readonly fields: ReadonlyMap<string, JsonOutlineField>;
}

export interface JsonOutlineField {
  readonly keyOffset: number;
  readonly valueStart: number;
  /** Just past the value. */
  readonly valueEnd: number;
  /** Where each item starts, when the value is a list. */
  readonly itemStarts: readonly number[] | undefined;
}

export interface JsonScan {
  /** In the order found; the first is the one to fix. */
  readonly errors: readonly ParseError[];
  /** Offsets of keys repeated within one object. */
  readonly repeatedKeyOffsets: readonly number[];
  /** Offset of the first `[` or `{` nested deeper than the limit; the scan stops there. */
  readonly tooDeepOffset: number | undefined;
  /** Offset of the first value past the limit on values; the scan stops there. */
  readonly tooManyValuesOffset: number | undefined;
  readonly outline: JsonOutline;
}

interface MutableField {
  keyOffset: number;
  valueStart: number;
  valueEnd: number;
  itemStarts: number[] | undefined;
}

const STOP = Symbol("stop");

/** About 20 ms per MB. */
export function scanJson(text: string, maxDepth: number, maxValues: number): JsonScan {
  const errors: ParseError[] = [];
  const repeatedKeyOffsets: number[] = [];
  const keysPerObject: Set<string>[] = [];
  const fields = new Map<string, MutableField>();
  let rootOffset = -1;
  let field: MutableField | undefined; // the top-level field being read
  let depth = 0;
  let values = 0;
  let tooDeepOffset: number | undefined;
  let tooManyValuesOffset: number | undefined;

  /** Every value passes here, before its depth is entered. */
  const value = (offset: number) => {
    if (++values > maxValues) {
      tooManyValuesOffset = offset;
      throw STOP;
    }
    if (depth === 0) rootOffset = offset;
    else if (depth === 1 && field) field.valueStart = offset;
    else if (depth === 2 && field?.itemStarts) field.itemStarts.push(offset);
  };
  const enter = (offset: number, isList: boolean) => {
    value(offset);
    if (depth === 1 && field && isList) field.itemStarts = [];
    if (++depth > maxDepth) {
      tooDeepOffset = offset;
      throw STOP; // the parser recurses per level: stop it here
    }
  };
  const leave = (offset: number, length: number) => {
    depth--;
    if (depth === 1 && field) field.valueEnd = offset + length;
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => {
          enter(offset, false);
          keysPerObject.push(new Set());
        },
        onObjectEnd: (offset, length) => {
          leave(offset, length);
          keysPerObject.pop();
        },
        onArrayBegin: (offset) => enter(offset, true),
        onArrayEnd: leave,
        onLiteralValue: (_value, offset, length) => {
          value(offset);
          if (depth === 1 && field) field.valueEnd = offset + length;
        },
        onObjectProperty: (name, offset) => {
          const keys = keysPerObject[keysPerObject.length - 1]!;
          if (keys.has(name)) repeatedKeyOffsets.push(offset);
          else keys.add(name);
          if (depth === 1) {
            field = fields.has(name) ? undefined : { keyOffset: offset, valueStart: offset, valueEnd: offset, itemStarts: undefined };
            if (field) fields.set(name, field);
          }
        },
        onError: (error, offset, length) => void errors.push({ error, offset, length }),
      },
      { disallowComments: true, allowTrailingComma: false },
    );
  } catch (error) {
    if (error !== STOP) throw error;
  }
  return { errors, repeatedKeyOffsets, tooDeepOffset, tooManyValuesOffset, outline: { rootOffset, fields } };
}
