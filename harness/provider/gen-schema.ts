/**
 * Derives the okta/okta provider schema (for the resource types the stand-in
 * provider serves) mechanically from the @cdktf/provider-okta binding.
 *
 * The binding's compiled index.js files carry their TypeScript source in an
 * inline source map; that source annotates every attribute with
 * `// <name> - computed: X, optional: Y, required: Z`, which is what cdktf's
 * generator read from `terraform providers schema -json` of okta/okta. From it
 * we recover names, types (from the getter used), required/optional/computed,
 * nested blocks and their nesting mode (ComplexList wrapsSet → SET, else LIST;
 * single objects → LIST max 1, `timeouts` → SINGLE as in plugin SDKv2).
 *
 * Not recoverable this way: sensitive (schema.ts) and the SDKv2 facts
 * (defaults, force-new, diff suppression, validation: sdkv2/facts.ts).
 *
 * Usage: npm run build && node dist/harness/provider/gen-schema.js
 * (writes harness/provider/schema.json, next to this source file)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../repo-root.ts";

export type TfType = string | [string, TfType] | ["object", Record<string, TfType>];

export interface SchemaAttribute {
  name: string;
  type: TfType;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive?: boolean;
}

export interface SchemaBlock {
  attributes: SchemaAttribute[];
  block_types: SchemaNestedBlock[];
}

export interface SchemaNestedBlock {
  type_name: string;
  nesting: "SINGLE" | "LIST" | "SET";
  min_items: number;
  max_items: number;
  block: SchemaBlock;
}

export interface ProviderSchemaFile {
  providerSource: string;
  providerVersion: string;
  provider: SchemaBlock;
  resources: Record<string, { version: number; block: SchemaBlock }>;
  dataSources: Record<string, { version: number; block: SchemaBlock }>;
}

export const RESOURCE_TYPES = [
  "okta_app_bookmark",
  "okta_group",
  "okta_group_memberships",
  "okta_app_group_assignments",
  "okta_app_group_assignment",
  "okta_app_user",
];
export const DATA_SOURCE_TYPES = ["okta_user", "okta_users", "okta_group", "okta_everyone_group"];

const require = createRequire(import.meta.url);
const libDir = dirname(require.resolve("@cdktf/provider-okta/lib/provider/index.js", { paths: [process.cwd()] }));
const oktaLib = dirname(libDir);

function tsSource(folder: string): string {
  const js = readFileSync(join(oktaLib, folder, "index.js"), "utf8");
  const m = /sourceMappingURL=data:application\/json;base64,(\S+)/.exec(js);
  if (!m) throw new Error(`no inline source map in ${folder}/index.js`);
  const map = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8"));
  return map.sourcesContent[0] as string;
}

function classes(src: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /export class (\w+) extends cdktf\.(\w+)/g;
  const starts: Array<{ name: string; index: number }> = [];
  for (let m; (m = re.exec(src)); ) starts.push({ name: m[1]!, index: m.index });
  starts.forEach((s, i) => out.set(s.name, src.slice(s.index, starts[i + 1]?.index ?? src.length)));
  return out;
}

const MARKER = /\/\/ (\w+) - computed: (true|false), optional: (true|false), required: (true|false)\n/g;

function simpleTypeFromGetter(seg: string, name: string): TfType | undefined {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`return (cdktf\\.Fn\\.tolist\\()?this\\.get(\\w+)Attribute\\('${esc}'\\)`).exec(seg);
  if (!m) return undefined;
  const set = Boolean(m[1]);
  switch (m[2]) {
    case "String":
      return "string";
    case "Boolean":
      return "bool";
    case "Number":
      return "number";
    case "List":
      return [set ? "set" : "list", "string"];
    case "NumberList":
      return [set ? "set" : "list", "number"];
    case "StringMap":
      return ["map", "string"];
    case "NumberMap":
      return ["map", "number"];
    case "BooleanMap":
      return ["map", "bool"];
    case "Any":
      return "dynamic";
    default:
      return undefined;
  }
}

function typeFromField(seg: string, hclTypes: Map<string, string>, name: string): TfType | undefined {
  const m = /private _\w+\?: ([^;]+);/.exec(seg);
  if (!m) return undefined;
  const t = m[1]!.trim();
  if (t === "string") return "string";
  if (t === "number") return "number";
  if (t.startsWith("boolean")) return "bool";
  if (t === "string[]") return [hclTypes.get(name) === "set" ? "set" : "list", "string"];
  if (t === "number[]") return [hclTypes.get(name) === "set" ? "set" : "list", "number"];
  if (t.startsWith("{ [key: string]: string }")) return ["map", "string"];
  return undefined;
}

/** name -> "simple" | "set" | "list" | "map" from synthesizeHclAttributes. */
function hclTypesOf(body: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(\w+): \{\s*value: [^\n]+\n\s*isBlock: (?:true|false),\s*type: "(\w+)"/g;
  for (let m; (m = re.exec(body)); ) out.set(m[1]!, m[2]!);
  return out;
}

function blockOf(all: Map<string, string>, className: string, warnings: string[]): SchemaBlock {
  const body = all.get(className);
  if (!body) throw new Error(`class ${className} not found`);
  const hclTypes = hclTypesOf(body);
  const block: SchemaBlock = { attributes: [], block_types: [] };
  const markers: Array<{ name: string; computed: boolean; optional: boolean; required: boolean; start: number; end: number }> = [];
  MARKER.lastIndex = 0;
  for (let m; (m = MARKER.exec(body)); ) {
    markers.push({
      name: m[1]!,
      computed: m[2] === "true",
      optional: m[3] === "true",
      required: m[4] === "true",
      start: m.index + m[0].length,
      end: body.length,
    });
  }
  markers.forEach((mk, i) => (mk.end = markers[i + 1] ? body.lastIndexOf("//", markers[i + 1]!.start - 1) : body.length));
  for (const mk of markers) {
    const seg = body.slice(mk.start, mk.end);
    const complex = /new (\w+?)(List|OutputReference|Map)\(this, "(\w+)"(?:, (true|false))?\)/.exec(seg);
    if (complex) {
      const elementClass = complex[2] === "List" ? `${complex[1]}OutputReference` : `${complex[1]}${complex[2] === "Map" ? "OutputReference" : complex[2]}`;
      if (complex[2] === "Map") {
        warnings.push(`${className}.${mk.name}: complex map not supported, skipped`);
        continue;
      }
      const inner = blockOf(all, elementClass, warnings);
      const wrapsSet = complex[4] === "true";
      const isCollection = complex[2] === "List";
      if (mk.computed && !mk.optional && !mk.required) {
        // computed-only nested object(s): an attribute of object type
        const objType: TfType = ["object", Object.fromEntries(inner.attributes.map((a) => [a.name, a.type]))];
        block.attributes.push({
          name: mk.name,
          type: isCollection ? [wrapsSet ? "set" : "list", objType] : objType,
          required: false,
          optional: false,
          computed: true,
        });
        continue;
      }
      block.block_types.push({
        type_name: mk.name,
        nesting: isCollection ? (wrapsSet ? "SET" : "LIST") : mk.name === "timeouts" ? "SINGLE" : "LIST",
        min_items: mk.required && isCollection ? 1 : 0,
        max_items: isCollection ? 0 : mk.name === "timeouts" ? 0 : 1,
        block: inner,
      });
      continue;
    }
    const type = simpleTypeFromGetter(seg, mk.name) ?? typeFromField(seg, hclTypes, mk.name);
    if (!type) {
      warnings.push(`${className}.${mk.name}: type not recognised, skipped`);
      continue;
    }
    block.attributes.push({ name: mk.name, type, required: mk.required, optional: mk.optional, computed: mk.computed });
  }
  block.attributes.sort((a, b) => a.name.localeCompare(b.name));
  block.block_types.sort((a, b) => a.type_name.localeCompare(b.type_name));
  return block;
}

function mainClass(all: Map<string, string>, base: string): string {
  for (const [name, body] of all) if (body.includes(`extends cdktf.${base}`) && body.startsWith(`export class ${name} extends cdktf.${base}`)) return name;
  throw new Error(`no ${base} class`);
}

function folderOf(type: string, data: boolean): string {
  const rest = type.replace(/^okta_/, "").replace(/_/g, "-");
  return data ? `data-okta-${rest}` : rest;
}

export function generateSchema(): { schema: ProviderSchemaFile; warnings: string[] } {
  const warnings: string[] = [];
  const providerSrc = tsSource("provider");
  const version = /providerVersion: '([^']+)'/.exec(providerSrc)?.[1];
  if (!version) throw new Error("providerVersion not found");
  const pAll = classes(providerSrc);
  const schema: ProviderSchemaFile = {
    providerSource: "registry.terraform.io/okta/okta",
    providerVersion: version,
    provider: blockOf(pAll, mainClass(pAll, "TerraformProvider"), warnings),
    resources: {},
    dataSources: {},
  };
  // "alias" is a meta-argument cdktf adds to every provider, not a schema attribute
  schema.provider.attributes = schema.provider.attributes.filter((a) => a.name !== "alias");
  for (const t of RESOURCE_TYPES) {
    const all = classes(tsSource(folderOf(t, false)));
    schema.resources[t] = { version: 0, block: blockOf(all, mainClass(all, "TerraformResource"), warnings) };
  }
  for (const t of DATA_SOURCE_TYPES) {
    const all = classes(tsSource(folderOf(t, true)));
    schema.dataSources[t] = { version: 0, block: blockOf(all, mainClass(all, "TerraformDataSource"), warnings) };
  }
  return { schema, warnings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { schema, warnings } = generateSchema();
  for (const w of warnings) console.error("warning:", w);
  const out = join(REPO_ROOT, "harness", "provider", "schema.json");
  writeFileSync(out, JSON.stringify(schema, null, 2) + "\n");
  console.error(`wrote ${out} (okta/okta ${schema.providerVersion})`);
}
