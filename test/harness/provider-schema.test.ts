import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSchema } from "../../harness/provider/gen-schema.ts";
import { generateSchema612, readBaseSchema, SCHEMA_6_12_FILE } from "../../harness/provider/gen-schema-6.ts";
import { decodeValue, encodeValue, UNKNOWN } from "../../harness/provider/values.ts";
import { pinnedOktaProviderVersion } from "../../harness/terraform-env.ts";

describe("stand-in okta provider schema", () => {
  it("schema.json is what gen-schema.ts derives from @cdktf/provider-okta (regenerate with: npm run build && node dist/harness/provider/gen-schema.js)", () => {
    const checkedIn = JSON.parse(readFileSync(join(import.meta.dirname, "../../harness/provider/schema.json"), "utf8"));
    const { schema, warnings } = generateSchema();
    expect(warnings).toEqual([]);
    expect(schema).toEqual(checkedIn);
    expect(schema.providerVersion).toBe(pinnedOktaProviderVersion());
  });

  it("schema-6.12.0.json is schema.json plus the additions read at v6.12.0 (regenerate with: npm run build && node dist/harness/provider/gen-schema-6.js)", () => {
    const checkedIn = JSON.parse(readFileSync(join(import.meta.dirname, "../../harness/provider", SCHEMA_6_12_FILE), "utf8"));
    expect(generateSchema612(readBaseSchema())).toEqual(checkedIn);
    const bookmark = checkedIn.resources.okta_app_bookmark.block.attributes;
    expect(bookmark.find((a: { name: string }) => a.name === "skip_authentication_policy")).toMatchObject({ type: "bool", optional: true, computed: false });
  });

  it("has the okta/okta 4.20 shapes the stack relies on", () => {
    const { schema } = generateSchema();
    const attr = (t: string, n: string) => schema.resources[t]!.block.attributes.find((a) => a.name === n);
    expect(attr("okta_app_bookmark", "label")).toMatchObject({ type: "string", required: true });
    expect(attr("okta_app_bookmark", "status")).toMatchObject({ optional: true, computed: false });
    expect(attr("okta_app_bookmark", "logo_url")).toMatchObject({ computed: true, optional: false });
    expect(attr("okta_group_memberships", "users")).toMatchObject({ type: ["set", "string"], required: true });
    const group = schema.resources.okta_app_group_assignments!.block.block_types.find((b) => b.type_name === "group");
    expect(group).toMatchObject({ nesting: "LIST" });
    const search = schema.dataSources.okta_user!.block.block_types.find((b) => b.type_name === "search");
    expect(search).toMatchObject({ nesting: "SET" });
    expect(schema.provider.attributes.map((a) => a.name)).toEqual(
      expect.arrayContaining(["org_name", "base_url", "api_token", "max_api_capacity", "backoff", "min_wait_seconds", "max_wait_seconds", "max_retries", "request_timeout", "parallelism", "log_level", "http_proxy", "client_id", "private_key", "private_key_id", "scopes", "access_token"]),
    );
    expect(schema.provider.attributes.every((a) => a.optional && !a.required)).toBe(true);
  });

  it("encodes unknown as msgpack extension 0 and reads extension 12 as unknown", () => {
    expect([...encodeValue(UNKNOWN)]).toEqual([0xd4, 0x00, 0x00]);
    expect(decodeValue(Buffer.from([0xd4, 0x0c, 0x00]))).toBe(UNKNOWN);
    expect(decodeValue(encodeValue({ a: [1, "x", null], b: UNKNOWN }))).toEqual({ a: [1, "x", null], b: UNKNOWN });
  });
});
