// `cerby-okta init` starts a team's own repository: what it writes must load
// and validate as it is, and running it again must never overwrite a file.
import { execa } from "execa";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectConfig } from "../../src/config/project-config.ts";
import { WORKSPACE_SCHEMA_ID, workspaceJsonSchemaText } from "../../src/workspace/json-schema.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "bin", "cerby-okta.js");
const run = (args: string[], cwd: string) => execa("node", [bin, ...args], { cwd, reject: false, env: { CI: "true" } });

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "cerby-okta-init-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(path.join(dir, entry.name), relative)));
    else found.push(relative);
  }
  return found.sort();
}

describe("cerby-okta init", () => {
  it("writes a project that validates, with the schema, the workflows and a .gitignore", async () => {
    const project = path.join(work, "fresh");
    const result = await run(["init", project], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const workflows = (await readdir(path.join(repo, ".github", "workflows"))).filter((name) => name.endsWith(".yml")).map((name) => `.github/workflows/${name}`);
    // And what the workflows run from the repository they are in: without these, their first run fails.
    const used = [...(await filesUnder(path.join(repo, ".github", "actions", "cerby-okta-setup"), ".github/actions/cerby-okta-setup")), ...(await filesUnder(path.join(repo, ".github", "cerby-okta"), ".github/cerby-okta"))];
    expect(used).toEqual(expect.arrayContaining([".github/actions/cerby-okta-setup/action.yml", ".github/cerby-okta/stack-batches.sh", ".github/cerby-okta/commands-off.sh"]));
    expect(await filesUnder(project)).toEqual(
      [".gitignore", "cerby-okta.yaml", "schema/workspace.schema.json", "workspaces/example/workspace.yaml", ...workflows, ...used].sort(),
    );
    for (const file of used) expect(await readFile(path.join(project, file), "utf8")).toBe(await readFile(path.join(repo, file), "utf8"));
    // The script the workflows call by its path can be run.
    expect((await stat(path.join(project, ".github", "cerby-okta", "stack-batches.sh"))).mode & 0o111).not.toBe(0);
    expect((await stat(path.join(project, "cerby-okta.yaml"))).mode & 0o111).toBe(0);
    expect(await readFile(path.join(project, "schema", "workspace.schema.json"), "utf8")).toBe(workspaceJsonSchemaText());
    expect(await loadProjectConfig(path.join(project, "cerby-okta.yaml"))).toEqual({ backend: { type: "local" } });
    const validated = await run(["validate"], project);
    expect(validated.exitCode, validated.stderr).toBe(0);
    expect(validated.stderr).toContain("ok: 1 workspace, 1 account");
    // The example is switched off: nothing reaches Okta until a person turns it on.
    const preview = JSON.parse((await run(["preview", "--json"], project)).stdout) as { workspaces: { id: string; synced: boolean }[] };
    expect(preview.workspaces).toEqual([expect.objectContaining({ id: "ws-example", synced: false })]);
  });

  it("never overwrites: a second run keeps every file, and names the .gitignore lines missing", async () => {
    const project = path.join(work, "again");
    expect((await run(["init", project], work)).exitCode).toBe(0);
    await writeFile(path.join(project, "cerby-okta.yaml"), "# ours\n");
    await writeFile(path.join(project, ".gitignore"), "node_modules/\n");
    const second = await run(["init", project, "--backend", "gcs", "--bucket", "other"], work);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await readFile(path.join(project, "cerby-okta.yaml"), "utf8")).toBe("# ours\n");
    expect(await readFile(path.join(project, ".gitignore"), "utf8")).toBe("node_modules/\n");
    expect(second.stderr).toContain("kept cerby-okta.yaml (exists; not overwritten)");
    expect(second.stderr).toMatch(/kept \.gitignore \(exists\); add these lines to it: cdktf\.out\/ \.cerby-okta\/ /);
    expect(second.stderr).not.toContain("wrote ");
  });

  it("writes the backend chosen, with its settings read back exactly, and refuses one missing its settings before writing anything", async () => {
    const project = path.join(work, "s3");
    const refused = await run(["init", project, "--backend", "s3", "--bucket", "acme-state"], work);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("--backend s3 needs --region");
    await expect(readdir(project)).rejects.toThrow();
    const bucket = 'acme: "state" #1';
    expect((await run(["init", project, "--backend", "s3", "--bucket", bucket, "--region", "eu-west-1"], work)).exitCode).toBe(0);
    expect(await loadProjectConfig(path.join(project, "cerby-okta.yaml"))).toEqual({
      backend: { type: "s3", bucket, key: "cerby-okta/{workspaceId}.tfstate", region: "eu-west-1", useLockfile: true },
    });
  });
});

describe("the editor schema", () => {
  it("has one $id everywhere, is written by schema --write, and a JSON workspace may name it with $schema", async () => {
    const project = path.join(work, "schema");
    expect((await run(["init", project], work)).exitCode).toBe(0);
    const target = path.join(project, "elsewhere", "s.json");
    const written = await run(["schema", "--write", target], project);
    expect(written.exitCode, written.stderr).toBe(0);
    const schema = JSON.parse(await readFile(target, "utf8")) as { $id: string };
    expect(schema.$id).toBe(WORKSPACE_SCHEMA_ID);
    const json = { $schema: "../../schema/workspace.schema.json", users: [{ id: "u-two", email: "two@example.com", workspaceRole: "user" }] };
    await writeFile(path.join(project, "workspaces", "example", "more.json"), JSON.stringify(json, null, 2));
    const validated = await run(["validate"], project);
    expect(validated.exitCode, validated.stderr).toBe(0);
  });
});
