// The one resolution of the project (src/config/project.ts): a flag wins,
// then $CERBY_OKTA_WORKSPACES for the workspaces, then the project folder's
// defaults; $CERBY_OKTA_CONFIG names the project from anywhere.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";
import { resolveProject } from "../../src/config/project.ts";
import { UsageError } from "../../src/errors.ts";
import { terraformBinary } from "../../src/terraform/terraform.ts";

let dir: string;
beforeEach(async () => {
  dir = makeTempDir();
  await writeFile(path.join(dir, "cerby-okta.yaml"), "shards: { ws-big: 8 }\nbackend: { type: s3, bucket: tf, key: 'cerby/{workspaceId}.tfstate', region: eu-west-1 }\n");
  await mkdir(path.join(dir, "a", "b"), { recursive: true });
});
afterEach(async () => {
  await removeDir(dir);
});

describe("resolving the project", () => {
  it("finds the project folder above the current one, with its defaults, shards and backend", async () => {
    const resolved = await resolveProject({}, { cwd: path.join(dir, "a", "b"), env: {} });
    expect(resolved).toMatchObject({
      workspacesDir: path.join(dir, "workspaces"),
      outDir: path.join(dir, "cdktf.out"),
      stateDir: path.join(dir, ".cerby-okta"),
      backend: { type: "s3", bucket: "tf" },
    });
    expect(resolved.project.dir).toBe(dir);
    expect([...resolved.shardCounts]).toEqual([["ws-big", 8]]);
  });

  it("takes the Terraform binary from --terraform-binary, else $TERRAFORM_BINARY_NAME, else terraformBinary (a path relative to the project folder), else terraform", async () => {
    const cwd = path.join(dir, "a", "b");
    const binaryFor = async (flag: string | undefined, env: NodeJS.ProcessEnv) => terraformBinary(flag, (await resolveProject({}, { cwd, env })).terraformBinary, env);
    expect(await binaryFor(undefined, {})).toBe("terraform");
    await writeFile(path.join(dir, "cerby-okta.yaml"), "terraformBinary: tofu\n");
    expect(await binaryFor(undefined, {})).toBe("tofu");
    expect(await binaryFor(undefined, { TERRAFORM_BINARY_NAME: "terraform-1.16" })).toBe("terraform-1.16");
    expect(await binaryFor("/opt/tofu/bin/tofu", { TERRAFORM_BINARY_NAME: "terraform-1.16" })).toBe("/opt/tofu/bin/tofu");
    await writeFile(path.join(dir, "cerby-okta.yaml"), "terraformBinary: tools/tofu\n");
    expect(await binaryFor(undefined, {})).toBe(path.join(dir, "tools", "tofu"));
  });

  it("takes the workspaces folder from a flag (relative to the current folder), else from $CERBY_OKTA_WORKSPACES (relative to the project folder)", async () => {
    const cwd = path.join(dir, "a");
    const env = { CERBY_OKTA_WORKSPACES: "from-env" };
    expect((await resolveProject({ workspaces: "from-flag" }, { cwd, env })).workspacesDir).toBe(path.join(cwd, "from-flag"));
    // The same folder from anywhere in the project, as cdktf synth (run in the project folder) finds it.
    expect((await resolveProject({}, { cwd, env })).workspacesDir).toBe(path.join(dir, "from-env"));
    expect((await resolveProject({}, { cwd: path.join(dir, "a", "b"), env })).workspacesDir).toBe(path.join(dir, "from-env"));
    expect((await resolveProject({ out: "out", stateDir: "state" }, { cwd, env: {} })).outDir).toBe(path.join(cwd, "out"));
  });

  it("takes the project named by $CERBY_OKTA_CONFIG, from any folder", async () => {
    const other = path.join(dir, "other");
    await mkdir(other);
    await writeFile(path.join(other, "sandbox.yaml"), "backend: { type: local }\n");
    const resolved = await resolveProject({}, { cwd: path.join(dir, "a", "b"), env: { CERBY_OKTA_CONFIG: path.join(other, "sandbox.yaml") } });
    expect(resolved.project.dir).toBe(other);
    expect(resolved.backend).toEqual({ type: "local" });
    expect(resolved.shardCounts.size).toBe(0);
    expect(resolved.stateDir).toBe(path.join(other, ".cerby-okta"));
  });

  it("refuses a local state inside the output folder, and a state folder that is a file", async () => {
    await writeFile(path.join(dir, "cerby-okta.yaml"), "backend: { type: local, path: 'cdktf.out/{workspaceId}.tfstate' }\n");
    await expect(resolveProject({}, { cwd: dir, env: {} })).rejects.toThrow(/puts the state inside the output folder/);
    await writeFile(path.join(dir, "a", "file"), "");
    await writeFile(path.join(dir, "cerby-okta.yaml"), "");
    await expect(resolveProject({ stateDir: "a/file" }, { cwd: dir, env: {} })).rejects.toThrow(UsageError);
  });
});
