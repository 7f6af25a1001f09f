// How deep and how large YAML structures are, measured without recursion:
// these run before the recursive composer and every walk over the data, so
// that a file nested 10,000 levels deep, or an alias bomb, is refused instead
// of overflowing the stack or filling memory. (JSON: json-scan.ts.)
import type { CST } from "yaml";

export interface YamlTokenShape {
  /** Offset of the first collection nested deeper than the limit. */
  readonly tooDeepOffset: number | undefined;
  /** Offset of the first alias (`*name`), if any. */
  readonly firstAliasOffset: number | undefined;
}

/** Walks the YAML parser's concrete syntax tree (built without recursion) before it is composed (with recursion). */
export function measureYamlTokens(tokens: readonly CST.Token[], max: number): YamlTokenShape {
  const pending: (CST.Token | null | undefined)[] = [...tokens];
  const depths: number[] = tokens.map(() => 0);
  let firstAliasOffset: number | undefined;
  while (pending.length > 0) {
    const token = pending.pop();
    const depth = depths.pop()!;
    if (!token) continue;
    switch (token.type) {
      case "document":
        pending.push(token.value);
        depths.push(depth);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        if (depth + 1 > max) return { tooDeepOffset: token.offset, firstAliasOffset };
        for (const item of token.items) {
          pending.push(item.key, item.value);
          depths.push(depth + 1, depth + 1);
        }
        break;
      case "block-scalar":
        break;
      case "alias":
        if (firstAliasOffset === undefined || token.offset < firstAliasOffset) firstAliasOffset = token.offset;
        break;
    }
  }
  return { tooDeepOffset: undefined, firstAliasOffset };
}

export type ExpandedSize =
  | { readonly kind: "tree"; readonly values: number; readonly depth: number }
  /** A list or mapping contains itself (a YAML alias inside its own anchor). */
  | { readonly kind: "cycle" };

/**
 * Values and depth of parsed data in which lists and mappings may be shared
 * (YAML aliases), each shared node counted at every place it appears: what
 * every later walk over the data will see. Linear in the distinct nodes.
 */
export function measureExpandedData(data: unknown): ExpandedSize {
  if (!isCollection(data)) return { kind: "tree", values: 1, depth: 0 };
  interface Frame {
    readonly node: object;
    readonly children: readonly unknown[];
    next: number;
    values: number;
    depth: number;
  }
  const measured = new Map<object, { values: number; depth: number }>();
  const onPath = new Set<object>();
  const frames: Frame[] = [];
  const enter = (node: object) => {
    onPath.add(node);
    frames.push({ node, children: Array.isArray(node) ? node : Object.values(node), next: 0, values: 1, depth: 1 });
  };
  enter(data);
  for (;;) {
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (!isCollection(child)) {
        frame.values += 1;
        continue;
      }
      const known = measured.get(child);
      if (known) {
        frame.values += known.values;
        frame.depth = Math.max(frame.depth, known.depth + 1);
      } else if (onPath.has(child)) return { kind: "cycle" };
      else enter(child);
      continue;
    }
    frames.pop();
    onPath.delete(frame.node);
    const size = { values: frame.values, depth: frame.depth };
    measured.set(frame.node, size);
    const parent = frames[frames.length - 1];
    if (!parent) return { kind: "tree", ...size };
    parent.values += size.values;
    parent.depth = Math.max(parent.depth, size.depth + 1);
  }
}

function isCollection(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
