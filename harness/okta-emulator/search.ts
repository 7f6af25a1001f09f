/**
 * Okta's filter/search expression language, enough of it for users, groups
 * and apps: `attr op "value"` with eq, ne, sw, co (string, case-insensitive),
 * `attr pr`, `and` / `or` (and binds tighter) and parentheses. A malformed
 * expression (for instance an unescaped `"` inside a value) is rejected, as
 * Okta answers 400 to it.
 */
export type Getter<T> = (item: T, attribute: string) => unknown;
export type Predicate<T> = (item: T) => boolean;

type Token = { kind: "word" | "string" | "lparen" | "rparen"; text: string };

function tokenize(expr: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ kind: ch === "(" ? "lparen" : "rparen", text: ch });
      i++;
    } else if (ch === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= expr.length) return null;
        const c = expr[i]!;
        if (c === "\\" && i + 1 < expr.length) {
          value += expr[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: "string", text: value });
    } else {
      const m = /^[^\s()"]+/.exec(expr.slice(i))!;
      tokens.push({ kind: "word", text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

const STRING_OPS = new Set(["eq", "ne", "sw", "co"]);

/** Compiles an expression into a predicate, or null when it is not valid. */
export function compileExpression<T>(expr: string, get: Getter<T>): Predicate<T> | null {
  const tokens = tokenize(expr);
  if (!tokens || tokens.length === 0) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text.toLowerCase() === w;

  function comparison(): Predicate<T> | null {
    const t = peek();
    if (t?.kind === "lparen") {
      pos++;
      const inner = disjunction();
      if (!inner || peek()?.kind !== "rparen") return null;
      pos++;
      return inner;
    }
    if (t?.kind !== "word") return null;
    const attribute = t.text;
    pos++;
    const opToken = peek();
    if (opToken?.kind !== "word") return null;
    const op = opToken.text.toLowerCase();
    pos++;
    if (op === "pr") return (item) => get(item, attribute) !== undefined && get(item, attribute) !== null;
    if (!STRING_OPS.has(op)) return null;
    const valueToken = peek();
    if (valueToken?.kind !== "string") return null;
    pos++;
    const wanted = valueToken.text.toLowerCase();
    const test = (v: unknown): boolean => {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return false;
      const actual = String(v).toLowerCase();
      if (op === "eq" || op === "ne") return actual === wanted;
      if (op === "sw") return actual.startsWith(wanted);
      return actual.includes(wanted);
    };
    // A multi-valued attribute (e.g. an app's group.id) matches when any value does.
    return (item) => {
      const v = get(item, attribute);
      const hit = Array.isArray(v) ? v.some(test) : test(v);
      return op === "ne" ? !hit : hit;
    };
  }

  function conjunction(): Predicate<T> | null {
    let left = comparison();
    while (left && isWord(peek(), "and")) {
      pos++;
      const right = comparison();
      if (!right) return null;
      const l = left;
      left = (item) => l(item) && right(item);
    }
    return left;
  }

  function disjunction(): Predicate<T> | null {
    let left = conjunction();
    while (left && isWord(peek(), "or")) {
      pos++;
      const right = conjunction();
      if (!right) return null;
      const l = left;
      left = (item) => l(item) || right(item);
    }
    return left;
  }

  const predicate = disjunction();
  return predicate && pos === tokens.length ? predicate : null;
}

/** Reads `profile.x`, or a top-level attribute, from an Okta object. */
export function attributeOf(item: { profile: object }, attribute: string): unknown {
  if (attribute.startsWith("profile.")) return (item.profile as Record<string, unknown>)[attribute.slice("profile.".length)];
  return (item as Record<string, unknown>)[attribute];
}
