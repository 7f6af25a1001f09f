/** Loads the schema of the release played (schema.json for 4.20.0 from gen-schema.ts, schema-6.12.0.json from gen-schema-6.ts) and applies hand-set facts. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderSchemaFile, SchemaBlock } from "./gen-schema.ts";

/** Facts the cdktf binding does not carry. */
const SENSITIVE: Record<string, string[]> = {
  okta_app_user: ["password"],
};

export function loadSchema(dir: string, version = "4.20.0"): ProviderSchemaFile {
  const file = version === "4.20.0" ? "schema.json" : `schema-${version}.json`;
  const schema = JSON.parse(readFileSync(join(dir, file), "utf8")) as ProviderSchemaFile;
  for (const [type, attrs] of Object.entries(SENSITIVE)) {
    for (const a of schema.resources[type]?.block.attributes ?? []) if (attrs.includes(a.name)) a.sensitive = true;
  }
  return schema;
}

function blockToProto(b: SchemaBlock): unknown {
  return {
    version: 0,
    attributes: b.attributes.map((a) => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: "",
      required: a.required,
      optional: a.optional,
      computed: a.computed,
      sensitive: Boolean(a.sensitive),
    })),
    block_types: b.block_types.map((n) => ({
      type_name: n.type_name,
      block: blockToProto(n.block),
      nesting: n.nesting,
      min_items: n.min_items,
      max_items: n.max_items,
    })),
  };
}

export function schemaToProto(version: number, b: SchemaBlock): unknown {
  return { version, block: blockToProto(b) };
}
