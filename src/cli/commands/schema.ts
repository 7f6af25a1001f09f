import type { Command } from "commander";
import { workspaceJsonSchemaText } from "../../workspace/json-schema.ts";

export function register(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of a workspace file (for editor completion; committed as schema/workspace.schema.json)")
    .action(() => {
      process.stdout.write(workspaceJsonSchemaText());
    });
}
