// Every attribute and block the stack writes for an okta/okta type exists in
// the schema modelled for the release it asks for (harness/provider/schema.json
// for 4.20.0, schema-6.12.0.json for 6.12.0), with the type the
// @cdktf/provider-okta binding gives it: a configuration the real provider
// of that release would refuse fails here, before any Terraform run.
import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MODELLED_OKTA_PROVIDER_VERSIONS } from "../../src/config/okta-provider-version.ts";
import { WorkspaceStack } from "../../src/stack/workspace-stack.ts";
import type { ProviderSchemaFile, SchemaBlock, TfType } from "../../harness/provider/gen-schema.ts";
import { desiredFromText, oneAccountWorkspace } from "../support/desired.ts";

const providerDir = path.join(import.meta.dirname, "../../harness/provider");
const schemaOf = (file: string) => JSON.parse(readFileSync(path.join(providerDir, file), "utf8")) as ProviderSchemaFile;
/** What the binding was generated from (okta/okta 4.20.0): the types it writes. */
const binding = schemaOf("schema.json");
const modelled = (version: string) => schemaOf(version === "4.20.0" ? "schema.json" : `schema-${version}.json`);

/** Terraform's meta-arguments: not attributes of the type. */
const META = new Set(["for_each", "count", "depends_on", "lifecycle", "provider", "dynamic", "//"]);

/** The type a literal JSON value has; expressions (strings with `${`) are checked by the binding's type instead. */
function literalType(value: unknown): TfType | undefined {
  if (typeof value === "string" && value.includes("${")) return undefined;
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  return undefined;
}

/** Problems with one written block: names missing from the modelled schema, or typed otherwise than the binding types them. */
function problems(where: string, written: Record<string, unknown>, block: SchemaBlock, bindingBlock: SchemaBlock | undefined): string[] {
  const found: string[] = [];
  // `dynamic "group" { content { … } }` is written as the block `group`.
  const nested = { ...written, ...((written.dynamic as Record<string, { content: Record<string, unknown> }>) ?? {}) };
  for (const [name, value] of Object.entries(nested)) {
    if (META.has(name)) continue;
    const attribute = block.attributes.find((candidate) => candidate.name === name);
    const blockType = block.block_types.find((candidate) => candidate.type_name === name);
    if (attribute) {
      const expected = bindingBlock?.attributes.find((candidate) => candidate.name === name)?.type ?? literalType(value);
      if (expected === undefined) found.push(`${where}.${name}: not in the binding, and not a literal whose type can be checked`);
      else if (JSON.stringify(expected) !== JSON.stringify(attribute.type)) found.push(`${where}.${name}: ${JSON.stringify(attribute.type)} in the provider, ${JSON.stringify(expected)} written`);
      if (attribute.computed && !attribute.optional && !attribute.required) found.push(`${where}.${name}: computed only, cannot be set`);
    } else if (blockType) {
      const bindingNested = bindingBlock?.block_types.find((candidate) => candidate.type_name === name)?.block;
      const contents = Array.isArray(value) ? value : [(value as { content?: Record<string, unknown> }).content ?? value];
      for (const content of contents) found.push(...problems(`${where}.${name}`, content as Record<string, unknown>, blockType.block, bindingNested));
    } else {
      found.push(`${where}.${name}: not in the okta/okta schema`);
    }
  }
  return found;
}

describe.each(MODELLED_OKTA_PROVIDER_VERSIONS)("the stack written for okta/okta %s", (version) => {
  const state = desiredFromText(oneAccountWorkspace("Contentzilla"));
  const config = JSON.parse(Testing.synth(new WorkspaceStack(Testing.app(), state.workspaces[0]!, { oktaProviderVersion: version })));
  const schema = modelled(version);

  it("asks for that release", () => {
    expect(config.terraform.required_providers.okta.version).toBe(version);
    expect(schema.providerVersion).toBe(version);
  });

  it("writes only attributes the release has, with the binding's types", () => {
    const found: string[] = [];
    let checked = 0;
    for (const [kind, file] of [["resource", "resources"], ["data", "dataSources"]] as const) {
      for (const [type, instances] of Object.entries((config[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
        if (!type.startsWith("okta_")) continue; // terraform_data is Terraform's own
        const block = schema[file][type]?.block;
        if (!block) {
          found.push(`${kind} ${type}: not in okta/okta ${version}`);
          continue;
        }
        for (const [name, written] of Object.entries(instances)) {
          found.push(...problems(`${type}.${name}`, written, block, binding[file][type]?.block));
          checked++;
        }
      }
    }
    for (const provider of config.provider.okta as Record<string, unknown>[]) found.push(...problems("provider.okta", provider, schema.provider, binding.provider));
    expect(found).toEqual([]);
    expect(checked).toBe(5); // the four resources and data okta_users
  });

  it("catches an attribute the release lacks", () => {
    const written = { label: "x", url: "y", skip_authentication_policy: true };
    const found = problems("okta_app_bookmark.app", written, modelled("4.20.0").resources.okta_app_bookmark!.block, binding.resources.okta_app_bookmark!.block);
    expect(found).toEqual(["okta_app_bookmark.app.skip_authentication_policy: not in the okta/okta schema"]);
  });
});
