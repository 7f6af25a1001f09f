// The common case first: a well-formed JSON file within the limits, with no
// key repeated. One pass over the characters (no callbacks, no key strings
// built) bounds nesting and values before JSON.parse meets them; the keys
// counted in the text, set beside the keys the parsed tree holds, tell whether
// JSON.parse dropped a repeated one. Anything else (a syntax error, a limit
// passed, a repeated key) is left to the full scan (json-scan.ts), which
// names the line; so is locating a field, done only when an issue needs it.

export interface QuickShape {
  /** Deepest nesting of lists and objects. */
  readonly depth: number;
  /** Values (containers and literals) in the text, keys not counted. */
  readonly values: number;
  /** Object keys in the text. */
  readonly keys: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Counts, in well-formed JSON, nesting, values and keys. The counts mean
 * nothing for text that is not JSON, which JSON.parse then refuses; stops
 * early (depth or values past the limits given) so that neither count runs away.
 */
export function quickShape(text: string, maxDepth: number, maxValues: number): QuickShape {
  let deepest = 0;
  let values = 0;
  let keys = 0;
  /** Whether the next string read is a key: right after `{`, or after `,` inside an object. */
  let keyNext = false;
  /** Per open list or object, whether it is an object: its length is the nesting depth. */
  const inObject: boolean[] = [];
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      // The closing quote: the first one not escaped by an odd run of backslashes.
      let end = text.indexOf('"', index + 1);
      while (end !== -1) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (keyNext) keys++;
      else values++;
      keyNext = false;
      if (end === -1) break;
      index = end;
    } else if (code === OPEN_OBJECT || code === OPEN_LIST) {
      values++;
      inObject.push(code === OPEN_OBJECT);
      if (inObject.length > deepest) deepest = inObject.length;
      keyNext = code === OPEN_OBJECT;
    } else if (code === CLOSE_OBJECT || code === CLOSE_LIST) {
      inObject.pop();
      keyNext = false;
    } else if (code === COMMA) {
      keyNext = inObject[inObject.length - 1] === true;
    } else if (code === COLON) {
      keyNext = false;
    } else if (code > 0x20) {
      // A literal (number, true, false, null): counted once, skipped to its end.
      values++;
      keyNext = false;
      while (index + 1 < length) {
        const next = text.charCodeAt(index + 1);
        if (next <= 0x20 || next === COMMA || next === CLOSE_OBJECT || next === CLOSE_LIST || next === COLON || next === QUOTE || next === OPEN_OBJECT || next === OPEN_LIST) break;
        index++;
      }
    }
    if (deepest > maxDepth || values > maxValues) break;
  }
  return { depth: deepest, values, keys };
}

/** Own keys of every object in a parsed JSON value (its depth was bounded before it was parsed). */
export function countKeys(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== "object") continue;
    if (Array.isArray(next)) {
      for (const item of next) if (item !== null && typeof item === "object") pending.push(item);
    } else {
      const names = Object.keys(next);
      count += names.length;
      for (const name of names) {
        const item = (next as Record<string, unknown>)[name];
        if (item !== null && typeof item === "object") pending.push(item);
      }
    }
  }
  return count;
}

/**
 * The parsed value when `text` is well-formed JSON within the limits and
 * repeats no key in an object; undefined otherwise (the full scan decides).
 */
export function parseWellFormedJson(text: string, maxDepth: number, maxValues: number): { data: unknown } | undefined {
  const shape = quickShape(text, maxDepth, maxValues);
  if (shape.depth > maxDepth || shape.values > maxValues) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  // JSON.parse keeps one of a repeated key: fewer keys in the tree than in the text.
  return countKeys(data) === shape.keys ? { data } : undefined;
}
