/**
 * PlanResourceChange and data-source defaults the way the plugin SDK v2
 * computes them for the stand-in's types: config values, else the schema
 * Default, else (computed) the prior value or unknown on create; a
 * DiffSuppressFunc keeps the prior value; a ForceNew change re-plans the
 * object as new. Lists of nested blocks are compared by index, as SDKv2 does.
 */
import type { SchemaBlock } from "../gen-schema.ts";
import { containsUnknown, deepEqual, isObj, UNKNOWN, type Obj, type Value } from "../values.ts";
import type { BlockFacts } from "./facts.ts";

export interface Plan {
  planned: Obj;
  /** Attribute names whose change forces replacement. */
  requiresReplace: string[];
}

export function planResourceChange(block: SchemaBlock, facts: BlockFacts | undefined, prior: Obj | null, config: Obj): Plan {
  if (prior === null) return { planned: planObject(block, facts, null, config), requiresReplace: [] };
  const inPlace = planObject(block, facts, prior, config);
  const requiresReplace = block.attributes
    .filter((a) => facts?.attributes[a.name]?.forceNew && !deepEqual(prior[a.name] ?? null, inPlace[a.name] ?? null))
    .map((a) => a.name);
  if (requiresReplace.length === 0) return { planned: inPlace, requiresReplace };
  return { planned: planObject(block, facts, null, config), requiresReplace };
}

function planObject(block: SchemaBlock, facts: BlockFacts | undefined, prior: Obj | null, config: Obj | null): Obj {
  const out: Obj = {};
  for (const a of block.attributes) {
    const f = facts?.attributes[a.name];
    const cfg = config?.[a.name] ?? null;
    const before = prior?.[a.name] ?? null;
    let next: Value;
    if (cfg !== null) next = cfg;
    else if (f?.default !== undefined) next = f.default;
    else if (a.computed) next = prior === null ? UNKNOWN : before;
    else next = null;
    if (prior !== null && before !== null && next !== UNKNOWN && !containsUnknown(next)) {
      if (f?.suppressDiff?.(before, next) || isZeroOf(before, next)) next = before;
    }
    out[a.name] = next;
  }
  for (const b of block.block_types) {
    const cfg = config?.[b.type_name] ?? null;
    const sub = facts?.blocks?.[b.type_name];
    if (b.nesting === "SINGLE") {
      out[b.type_name] = isObj(cfg) ? planObject(b.block, sub, isObj(prior?.[b.type_name]) ? (prior![b.type_name] as Obj) : null, cfg) : null;
      continue;
    }
    const priorList = Array.isArray(prior?.[b.type_name]) ? (prior![b.type_name] as Value[]) : [];
    out[b.type_name] = Array.isArray(cfg)
      ? cfg.map((element, i) =>
          isObj(element) ? planObject(b.block, sub, b.nesting === "LIST" && isObj(priorList[i]) ? (priorList[i] as Obj) : null, element) : element,
        )
      : cfg;
  }
  return out;
}

/** SDKv2 sees an unset attribute as its zero value: "" / false / 0 in state against an unset config is no change. */
function isZeroOf(before: Value, next: Value): boolean {
  return next === null && (before === "" || before === false || before === 0);
}

/** A data source's config with its schema defaults filled in (SDKv2 reads data sources that way). */
export function withDefaults(block: SchemaBlock, facts: BlockFacts | undefined, config: Obj): Obj {
  const out: Obj = { ...config };
  for (const a of block.attributes) {
    const d = facts?.attributes[a.name]?.default;
    if ((out[a.name] ?? null) === null && d !== undefined) out[a.name] = d;
  }
  for (const b of block.block_types) {
    const v = out[b.type_name];
    const sub = facts?.blocks?.[b.type_name];
    if (Array.isArray(v)) out[b.type_name] = v.map((e) => (isObj(e) ? withDefaults(b.block, sub, e) : e));
    else if (isObj(v)) out[b.type_name] = withDefaults(b.block, sub, v);
  }
  return out;
}
