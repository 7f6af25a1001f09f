import { Testing } from "cdktf";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultWorkspacesDir, loadProject, loadProjectConfig, type BackendConfig } from "../../src/config/project-config.ts";
import { commandContext } from "../../src/cli/terraform-options.ts";
import { workspacesDirOf } from "../../src/cli/workspaces-option.ts";
import { InputError } from "../../src/errors.ts";

import { WorkspaceStack } from "../../src/stack/workspace-stack.ts";
import { desiredFromText, oneAccountWorkspace, synthesizeInto } from "../support/desired.ts";

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function configFile(text: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "cerby-okta-config-"));
  folders.push(folder);
  const file = path.join(folder, "cerby-okta.yaml");
  await writeFile(file, text);
  return file;
}

function synthesizedBackend(backend: BackendConfig | undefined) {
  const workspace = desiredFromText(oneAccountWorkspace("Contentzilla")).workspaces[0]!;
  const stack = new WorkspaceStack(Testing.app(), workspace, { backend });
  return JSON.parse(Testing.synth(stack)).terraform.backend;
}

describe("project configuration", () => {
  it("means all defaults when the default file is absent", async () => {
    expect(await loadProjectConfig(path.join(tmpdir(), "no-such-cerby-okta.yaml"))).toEqual({});
  });

  it("selects an S3 backend with one state key per workspace", async () => {
    const config = await loadProjectConfig(
      await configFile("backend:\n  type: s3\n  bucket: acme-terraform\n  key: cerby-okta/{workspaceId}.tfstate\n  region: eu-west-1\n  useLockfile: true\n"),
    );
    expect(synthesizedBackend(config.backend)).toEqual({
      s3: { bucket: "acme-terraform", key: "cerby-okta/ws-test.tfstate", region: "eu-west-1", use_lockfile: true },
    });
  });

  it("selects a GCS backend", async () => {
    const config = await loadProjectConfig(await configFile("backend: { type: gcs, bucket: acme-tf, prefix: 'cerby-okta/{workspaceId}' }\n"));
    expect(synthesizedBackend(config.backend)).toEqual({ gcs: { bucket: "acme-tf", prefix: "cerby-okta/ws-test" } });
  });

  it("selects HCP Terraform with a named workspace per Cerby workspace", async () => {
    const config = await loadProjectConfig(await configFile("backend:\n  type: cloud\n  organization: acme\n  workspaceName: cerby-okta-{workspaceId}\n"));
    const { cloud } = JSON.parse(Testing.synth(new WorkspaceStack(Testing.app(), desiredFromText(oneAccountWorkspace("X")).workspaces[0]!, { backend: config.backend }))).terraform;
    expect(cloud).toEqual({ organization: "acme", workspaces: { name: "cerby-okta-ws-test" } });
  });

  it("keeps cdktf's local default without a backend", async () => {
    const out = path.join(path.dirname(await configFile("")), "out");
    await synthesizeInto(desiredFromText(oneAccountWorkspace("Contentzilla")), out);
    const config = JSON.parse(await readFile(path.join(out, "stacks", "ws-test", "cdk.tf.json"), "utf8"));
    expect(config.terraform.backend).toEqual({ local: { path: expect.stringMatching(/terraform\.ws-test\.tfstate$/) } });
  });

  it("refuses a state key shared by every workspace, naming file, line and field", async () => {
    const file = await configFile("backend:\n  type: s3\n  bucket: b\n  key: cerby-okta.tfstate\n  region: eu-west-1\n");
    const error = await loadProjectConfig(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues[0]).toMatchObject({ file, line: 4, path: "backend.key", message: expect.stringContaining("{workspaceId}") });
  });

  it("refuses credentials in the file (unknown field)", async () => {
    const file = await configFile("backend:\n  type: s3\n  bucket: b\n  key: '{workspaceId}'\n  region: r\n  secretKey: nope\n");
    const error = (await loadProjectConfig(file).catch((caught: unknown) => caught)) as InputError;
    expect(error.issues[0]).toMatchObject({ line: 6, path: "backend.secretKey", message: "unknown field" });
  });

  it("finds the workspaces through $CERBY_OKTA_WORKSPACES, relative to the project folder, in the CLI as in cdktf synth", async () => {
    const project = path.dirname(await configFile(""));
    const sub = path.join(project, "sub");
    await mkdir(sub);
    const previous = process.env.CERBY_OKTA_WORKSPACES;
    process.env.CERBY_OKTA_WORKSPACES = "../shared-workspaces";
    try {
      const expected = path.resolve(project, "../shared-workspaces");
      // Both must exist: a workspaces folder that does not is refused with where it was looked for.
      await mkdir(expected, { recursive: true });
      await mkdir(path.join(sub, "mine"));
      expect(defaultWorkspacesDir(await loadProject(sub))).toBe(expected);
      expect(await workspacesDirOf(undefined, sub)).toBe(expected);
      expect((await commandContext({}, sub)).workspacesDir).toBe(expected);
      // --workspaces still wins, relative to the current folder.
      expect((await commandContext({ workspaces: "mine" }, sub)).workspacesDir).toBe(path.join(sub, "mine"));
    } finally {
      if (previous === undefined) delete process.env.CERBY_OKTA_WORKSPACES;
      else process.env.CERBY_OKTA_WORKSPACES = previous;
    }
    expect(defaultWorkspacesDir(await loadProject(sub), {})).toBe(path.join(project, "workspaces"));
  });
});
