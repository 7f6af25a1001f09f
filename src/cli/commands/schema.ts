import type { Command } from "commander";
import path from "node:path";
import { loadProject } from "../../config/project-config.ts";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { WORKSPACE_SCHEMA_FILE, workspaceJsonSchemaText } from "../../workspace/json-schema.ts";

export function register(program: Command): void {
  program
    .command("schema")
    .description(
      `print the JSON Schema of a workspace file (for editor completion; its $id is the same everywhere), or write it with --write ` +
        `(to ${WORKSPACE_SCHEMA_FILE} in the project folder, or FILE)`,
    )
    .option("--write [file]", `write the schema to FILE (default: ${WORKSPACE_SCHEMA_FILE} in the project folder) instead of printing it`)
    .action(async (options: { write?: string | true }) => {
      if (options.write === undefined) {
        process.stdout.write(workspaceJsonSchemaText());
        return;
      }
      const file = options.write === true ? path.join((await loadProject()).dir, ...WORKSPACE_SCHEMA_FILE.split("/")) : path.resolve(options.write);
      await ensureFolder(path.dirname(file));
      await writeFileAtomic(file, workspaceJsonSchemaText());
      process.stderr.write(`wrote ${file}\n`);
    });
}
