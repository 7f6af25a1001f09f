// The JSON Schema of one workspace file, generated from the zod schema, for
// editors (completion, hover text, red squiggles as you type). It describes
// what may be written (zod's input side); `cerby-okta validate` remains the
// judge: checks across files and the character rules are not expressible here.
import { z } from "zod";
import { GrantSchema, TimestampSchema, WorkspaceFileSchema } from "./schema.ts";

/**
 * The schema's identity: the same in every repository that uses cerby-okta,
 * whatever path the file is kept at (a URN: there is no server to fetch it from).
 */
export const WORKSPACE_SCHEMA_ID = "urn:cerby-okta:schema:workspace-file:1";

/** Where `cerby-okta init` and `cerby-okta schema --write` put the schema, in the project folder. */
export const WORKSPACE_SCHEMA_FILE = "schema/workspace.schema.json";

export function workspaceJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(WorkspaceFileSchema, {
    io: "input",
    target: "draft-2020-12",
    unrepresentable: "any", // the Date branch of the timestamp, replaced below
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === TimestampSchema) {
        // A YAML 1.1 timestamp becomes a Date only after parsing; as written it is text.
        const description = jsonSchema.description;
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
        Object.assign(jsonSchema, { type: "string", format: "date-time", ...(description ? { description } : {}) });
      }
      if (zodSchema === GrantSchema) {
        // The refinement "exactly one of user and team", in JSON Schema terms.
        jsonSchema.oneOf = [{ required: ["user"] }, { required: ["team"] }];
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: WORKSPACE_SCHEMA_ID, title: "cerby-okta workspace file (format version 1)", ...rest };
}

/** The schema as committed in schema/workspace.schema.json and printed by `cerby-okta schema`. */
export function workspaceJsonSchemaText(): string {
  return `${JSON.stringify(workspaceJsonSchema(), null, 2)}\n`;
}
