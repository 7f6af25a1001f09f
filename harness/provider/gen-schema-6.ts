/**
 * Derives the okta/okta 6.12.0 schema (schema-6.12.0.json) from the 4.20.0
 * one (schema.json, generated from the @cdktf/provider-okta binding) and the
 * differences read in the provider's source between the tags v4.20.0
 * (1924ec51) and v6.12.0 (e59c130b), for the types the stand-in serves.
 * Nothing was removed or changed in type; these are the additions
 * (docs/okta-provider-6.12.md).
 *
 * Usage: npm run build && node dist/harness/provider/gen-schema-6.js
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../repo-root.ts";
import type { ProviderSchemaFile, SchemaAttribute, TfType } from "./gen-schema.ts";

export const SCHEMA_6_12_FILE = "schema-6.12.0.json";

const computed = (name: string, type: TfType): SchemaAttribute => ({ name, type, required: false, optional: false, computed: true });

/** userProfileDataSchema (okta/services/idaas/user.go) gained these in 5.x/6.x, set by flattenUser from the user object. */
const USER_TIMESTAMPS: SchemaAttribute[] = [
  ...["activated", "created", "last_login", "last_updated", "password_changed", "status_changed"].map((name) => computed(name, "string")),
  computed("type", ["list", ["object", { id: "string" }]]),
];

/** Where each addition was read, and what it adds. */
export const ADDITIONS_6_12: ReadonlyArray<{ source: string; kind: "resources" | "dataSources"; type: string; attributes: SchemaAttribute[]; inUsersElement?: boolean }> = [
  {
    source: "okta/services/idaas/resource_okta_app_bookmark.go (6.9.0, #2428): Optional, Default false, ConflictsWith authentication_policy",
    kind: "resources",
    type: "okta_app_bookmark",
    attributes: [{ name: "skip_authentication_policy", type: "bool", required: false, optional: true, computed: false }],
  },
  {
    source: "okta/services/idaas/data_source_okta_user.go (realm_id, 5.3.0 #2536) and user.go's userProfileDataSchema (timestamps and type, 6.11.0 #2817)",
    kind: "dataSources",
    type: "okta_user",
    attributes: [computed("realm_id", "string"), ...USER_TIMESTAMPS],
  },
  {
    source: "okta/services/idaas/data_source_okta_users.go: each element of users (realm_id, and userProfileDataSchema's additions)",
    kind: "dataSources",
    type: "okta_users",
    attributes: [computed("realm_id", "string"), ...USER_TIMESTAMPS],
    inUsersElement: true,
  },
];

const byName = (a: SchemaAttribute, b: SchemaAttribute) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function generateSchema612(base: ProviderSchemaFile): ProviderSchemaFile {
  const schema = structuredClone(base);
  schema.providerVersion = "6.12.0";
  for (const addition of ADDITIONS_6_12) {
    const block = schema[addition.kind][addition.type]!.block;
    if (!addition.inUsersElement) {
      block.attributes = [...block.attributes, ...addition.attributes].sort(byName);
      continue;
    }
    const users = block.attributes.find((a) => a.name === "users")!;
    const [, [, fields]] = users.type as ["list", ["object", Record<string, TfType>]];
    const extended = { ...fields, ...Object.fromEntries(addition.attributes.map((a) => [a.name, a.type])) };
    users.type = ["list", ["object", Object.fromEntries(Object.keys(extended).sort().map((k) => [k, extended[k]!]))]];
  }
  return schema;
}

export function readBaseSchema(): ProviderSchemaFile {
  return JSON.parse(readFileSync(join(REPO_ROOT, "harness", "provider", "schema.json"), "utf8")) as ProviderSchemaFile;
}

if (process.argv[1]?.endsWith("gen-schema-6.js")) {
  const file = join(REPO_ROOT, "harness", "provider", SCHEMA_6_12_FILE);
  writeFileSync(file, `${JSON.stringify(generateSchema612(readBaseSchema()), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
