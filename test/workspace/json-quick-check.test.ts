// The fast path for well-formed JSON (src/workspace/json-quick-check.ts) must
// count exactly what the full scan counts, and hand anything doubtful (a
// repeated key, a limit passed, a syntax error) to the full scan.
import { describe, expect, it } from "vitest";
import { countKeys, parseWellFormedJson, quickShape } from "../../src/workspace/json-quick-check.ts";
import { parseSourceFile } from "../../src/workspace/source-file.ts";

/** A small deterministic generator (no seed from the clock: a failure repeats). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const AWKWARD = ['"', "\\", '\\"', "\\\\", "}", "]", "{", "[", ",", ":", "__proto__", "constructor", "é", "\u2028", "${x}", "%{y}", "<!--", "\t", " ", "", "a\"b\\\"c"];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 5 || pick < 0.35) {
    const literal = next();
    if (literal < 0.3) return AWKWARD[Math.floor(next() * AWKWARD.length)]! + String(Math.floor(next() * 100));
    if (literal < 0.5) return Math.floor(next() * 1e6) / (next() < 0.5 ? 1 : 7) * (next() < 0.3 ? -1 : 1);
    if (literal < 0.7) return next() < 0.5;
    if (literal < 0.8) return null;
    return 1e21 * next();
  }
  if (pick < 0.65) return Array.from({ length: Math.floor(next() * 5) }, () => value(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(next() * 5); index > 0; index--) {
    Object.defineProperty(object, AWKWARD[Math.floor(next() * AWKWARD.length)]! + (next() < 0.5 ? "" : String(index)), { value: value(next, depth + 1), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

/** What the counts must be, from the parsed value. */
function expected(parsed: unknown, depth = 0): { depth: number; values: number; keys: number } {
  if (parsed === null || typeof parsed !== "object") return { depth, values: 1, keys: 0 };
  const children = Array.isArray(parsed) ? parsed : Object.values(parsed);
  const result = { depth: depth + 1, values: 1, keys: Array.isArray(parsed) ? 0 : children.length };
  for (const child of children) {
    const inner = expected(child, depth + 1);
    result.depth = Math.max(result.depth, inner.depth);
    result.values += inner.values;
    result.keys += inner.keys;
  }
  return result;
}

describe("the fast path for well-formed JSON", () => {
  it("counts nesting, values and keys exactly, whatever the strings hold and however the text is spaced", () => {
    const next = random(20261206);
    for (let round = 0; round < 400; round++) {
      const parsed = value(next, 0);
      for (const text of [JSON.stringify(parsed), JSON.stringify(parsed, null, round % 2 === 0 ? 2 : "\t")]) {
        const reparsed = JSON.parse(text) as unknown;
        expect(quickShape(text, 64, 1e9), text).toEqual(expected(reparsed));
        expect(parseWellFormedJson(text, 64, 1e9)?.data, text).toEqual(reparsed);
        expect(countKeys(reparsed)).toBe(expected(reparsed).keys);
      }
    }
  });

  it("hands a repeated key, a limit passed or a syntax error to the full scan", () => {
    expect(parseWellFormedJson('{"a": 1, "a": 2}', 32, 100)).toBeUndefined();
    expect(parseWellFormedJson('{"x": {"__proto__": 1, "__proto__": 2}}', 32, 100)).toBeUndefined();
    expect(parseWellFormedJson('{"a\\"": 1, "a\\"": 2}', 32, 100)).toBeUndefined();
    expect(parseWellFormedJson(`${"[".repeat(33)}${"]".repeat(33)}`, 32, 100)).toBeUndefined();
    expect(parseWellFormedJson(`${"[".repeat(32)}${"]".repeat(32)}`, 32, 100)?.data).toBeDefined();
    expect(parseWellFormedJson("[1, 2, 3]", 32, 3)).toBeUndefined();
    expect(parseWellFormedJson("[1, 2]", 32, 3)?.data).toEqual([1, 2]);
    expect(parseWellFormedJson('{"a": 1,}', 32, 100)).toBeUndefined();
    expect(parseWellFormedJson('{"a": "unterminated', 32, 100)).toBeUndefined();
    // Stops counting past a limit: 20 million levels cost no more than the limit.
    expect(quickShape("[".repeat(20_000_000), 32, 100).depth).toBe(33);
  });

  it("still names the line of a repeated key and of an invalid field, through the full scan", () => {
    const repeated = parseSourceFile("w.json", '{\n  "id": "ws-1",\n  "id": "ws-2"\n}\n');
    expect(repeated.syntaxIssues.map((issue) => [issue.line, issue.message])).toEqual([[3, expect.stringMatching(/repeated/)]]);
    const good = parseSourceFile("w.json", '{\n  "id": "ws-1",\n  "accounts": [\n    {"id": "a-1"},\n    {"id": "a-2", "name": 7}\n  ]\n}\n');
    expect(good.syntaxIssues).toEqual([]);
    expect(good.locate(["accounts", 1, "name"])).toEqual({ line: 5, column: 19 });
  });
});
