/** Orders the plugin SDK v2 gives to set elements (schema.Set.List: by hash code, as strings). */
import { crc32 } from "node:zlib";

/** schema.HashString. */
export const hashString = (s: string): number => crc32(s);

/** Elements of a set of strings in SDKv2's iteration order. */
export function setOrder(values: string[]): string[] {
  return [...new Set(values)].sort((a, b) => compareCodes(hashString(a), hashString(b)));
}

/**
 * Elements of a set of nested objects in SDKv2's order (schema.HashResource:
 * "key:value;" for every user-settable field, keys sorted, zero values for unset).
 */
export function setOrderOfObjects<T extends Record<string, unknown>>(elements: T[], fields: Record<string, "string" | "bool" | "number">): T[] {
  const serialize = (e: T) =>
    Object.keys(fields)
      .sort()
      .map((k) => {
        const v = e[k];
        const text = fields[k] === "bool" ? (v === true ? "1" : "0") : v === null || v === undefined ? (fields[k] === "number" ? "0" : "") : String(v);
        return `${k}:${text};`;
      })
      .join("");
  return [...elements].sort((a, b) => compareCodes(hashString(serialize(a)), hashString(serialize(b))));
}

const compareCodes = (a: number, b: number) => {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
