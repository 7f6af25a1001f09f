// The JSON Schema editors use (schema/workspace.schema.json) is generated from
// the zod schema: the committed file must be exactly what `cerby-okta schema`
// prints, so that it never drifts from what `validate` accepts.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { workspaceJsonSchemaText } from "../../src/workspace/json-schema.ts";
import { expectNoCrashText, runCli } from "./run-cli.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const committedPath = path.join(repo, "schema", "workspace.schema.json");

describe("schema/workspace.schema.json", () => {
  it("is exactly what `cerby-okta schema` prints (regenerate: cerby-okta schema > schema/workspace.schema.json)", async () => {
    const run = await runCli(["schema"], { cwd: repo });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(0);
    const committed = await readFile(committedPath, "utf8");
    expect(`${run.stdout}\n`).toBe(committed); // execa drops the final newline
    expect(workspaceJsonSchemaText()).toBe(committed);
  });

  it("describes every field, for editors to show", async () => {
    const schema = JSON.parse(await readFile(committedPath, "utf8"));
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, at: string) => {
      for (const [name, property] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof property.description !== "string" || property.description === "") undescribed.push(`${at}${name}`);
        walk(property, `${at}${name}.`);
        if (property.items) walk(property.items as Record<string, unknown>, `${at}${name}[].`);
      }
    };
    walk(schema, "");
    expect(undescribed).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("is named by the first line of every example YAML workspace file", async () => {
    const root = path.join(repo, "workspaces");
    for (const folder of await readdir(root)) {
      for (const name of (await readdir(path.join(root, folder))).filter((file) => /\.ya?ml$/.test(file))) {
        const firstLine = (await readFile(path.join(root, folder, name), "utf8")).split("\n")[0];
        expect(firstLine, `workspaces/${folder}/${name}`).toBe("# yaml-language-server: $schema=../../schema/workspace.schema.json");
      }
    }
  });
});
