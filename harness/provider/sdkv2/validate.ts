/** ValidateResourceConfig / ValidateDataResourceConfig / ValidateProviderConfig: SDKv2 validators and ConflictsWith. */
import type { SchemaBlock } from "../gen-schema.ts";
import { isObj, UNKNOWN, type Obj, type Value } from "../values.ts";
import type { BlockFacts } from "./facts.ts";

export interface ValidationProblem {
  summary: string;
  /** Attribute path steps. */
  path: Array<string | number>;
}

export function validateConfig(block: SchemaBlock, facts: BlockFacts | undefined, config: Obj, path: Array<string | number> = []): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  // an unknown value may still turn out unset: SDKv2 does not count it as a conflict
  const isSet = (v: Value | undefined) => v !== undefined && v !== null && v !== UNKNOWN && !(Array.isArray(v) && v.length === 0);
  for (const a of block.attributes) {
    const v = config[a.name];
    const check = facts?.attributes[a.name]?.validate;
    if (check && v !== undefined && v !== null && v !== UNKNOWN) {
      const summary = check(v, a.name);
      if (summary) problems.push({ summary, path: [...path, a.name] });
    }
  }
  for (const [a, b] of facts?.conflicts ?? []) {
    if (isSet(config[a]) && isSet(config[b])) problems.push({ summary: `"${a}": conflicts with ${b}`, path: [...path, a] });
  }
  for (const b of block.block_types) {
    const v = config[b.type_name];
    const sub = facts?.blocks?.[b.type_name];
    if (Array.isArray(v)) v.forEach((e, i) => isObj(e) && problems.push(...validateConfig(b.block, sub, e, [...path, b.type_name, i])));
    else if (isObj(v)) problems.push(...validateConfig(b.block, sub, v, [...path, b.type_name]));
  }
  return problems;
}
