// "did you mean ...?" for an unknown field: the known field names at the same
// place in the schema, and the one a typo most likely meant.
import type { z } from "zod";

type AnySchema = z.core.$ZodType;

/** The field names a strict object at `path` of `schema` accepts; empty when the path leads to no object. */
export function knownFieldsAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  const fields = new Set<string>();
  const visit = (node: AnySchema, rest: readonly PropertyKey[], depth: number): void => {
    if (depth > 64) return;
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case "object": {
        const shape = def.shape as Record<string, AnySchema>;
        if (rest.length === 0) for (const key of Object.keys(shape)) fields.add(key);
        else if (typeof rest[0] === "string" && Object.hasOwn(shape, rest[0])) visit(shape[rest[0]]!, rest.slice(1), depth + 1);
        return;
      }
      case "array":
        if (typeof rest[0] === "number") visit(def.element as AnySchema, rest.slice(1), depth + 1);
        return;
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
      case "catch":
      case "nonoptional":
        visit(def.innerType as AnySchema, rest, depth + 1);
        return;
      case "pipe":
        visit(def.in as AnySchema, rest, depth + 1);
        return;
      case "union":
        for (const option of def.options as AnySchema[]) visit(option, rest, depth + 1);
        return;
      default:
        return;
    }
  };
  visit(schema, path, 0);
  return [...fields].sort();
}

/** The known field closest to `typed` (case ignored, at most a third of its letters off); undefined when none is close. */
export function closestField(typed: string, known: readonly string[]): string | undefined {
  if (typed.length > 200) return undefined;
  const lower = typed.toLowerCase();
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const distance = editDistance(lower, field.toLowerCase());
    if (distance <= Math.max(1, Math.floor(field.length / 3)) && (best === undefined || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
