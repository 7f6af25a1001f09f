/**
 * Terraform values on the wire: msgpack, with unknown values as extension
 * type 0 (Terraform also sends refined unknowns as extension type 12; both
 * decode to UNKNOWN here).
 */
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";
import type { SchemaBlock, TfType } from "./gen-schema.ts";

export const UNKNOWN: unique symbol = Symbol("unknown");
export type Value = null | string | number | boolean | typeof UNKNOWN | Value[] | { [k: string]: Value };
export type Obj = { [k: string]: Value };

const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: (input: unknown) => (input === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
codec.register({ type: 12, encode: () => null, decode: () => UNKNOWN });

export function decodeValue(buf: Uint8Array | undefined | null): Value {
  if (!buf || buf.length === 0) return null;
  return decode(buf, { extensionCodec: codec }) as Value;
}

export function encodeValue(v: Value): Buffer {
  return Buffer.from(encode(v, { extensionCodec: codec, ignoreUndefined: false }));
}

export const isUnknown = (v: unknown): v is typeof UNKNOWN => v === UNKNOWN;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k]!, b[k]!));
  }
  return false;
}

export function containsUnknown(v: Value): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObj(v)) return Object.values(v).some(containsUnknown);
  return false;
}

/** An object of the block's shape with every attribute null and every block empty. */
export function emptyObject(block: SchemaBlock): Obj {
  const o: Obj = {};
  for (const a of block.attributes) o[a.name] = null;
  for (const b of block.block_types) o[b.type_name] = b.nesting === "SINGLE" ? null : [];
  return o;
}

/** Conform a loose object (e.g. JSON state) to the block's shape. */
export function conform(block: SchemaBlock, v: unknown): Obj {
  const o = emptyObject(block);
  if (!isObj(v)) return o;
  for (const a of block.attributes) if (v[a.name] !== undefined) o[a.name] = conformToType(a.type, v[a.name] as Value);
  for (const b of block.block_types) {
    const x = v[b.type_name];
    if (b.nesting === "SINGLE") o[b.type_name] = isObj(x) ? conform(b.block, x) : null;
    else o[b.type_name] = Array.isArray(x) ? x.map((e) => conform(b.block, e)) : [];
  }
  return o;
}

/** Conform a value to an attribute type: objects get every attribute of their type (null when absent). */
export function conformToType(type: TfType, v: Value): Value {
  if (v === null || v === UNKNOWN || typeof type === "string") return v;
  const [kind, inner] = type;
  if (kind === "object" && isObj(v)) {
    const attrs = inner as Record<string, TfType>;
    return Object.fromEntries(Object.entries(attrs).map(([k, t]) => [k, conformToType(t, v[k] ?? null)]));
  }
  if ((kind === "list" || kind === "set") && Array.isArray(v)) return v.map((e) => conformToType(inner as TfType, e));
  if (kind === "map" && isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conformToType(inner as TfType, x)]));
  return v;
}
