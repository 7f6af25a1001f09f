// `terraform init` is skipped only while the stack folder is as the last
// successful init left it; anything init depends on that changes makes it run
// again, run after run. Real Terraform, the stand-in okta/okta provider from
// a filesystem mirror, and a logging wrapper that counts the inits.
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from "node:fs";
import { rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTerraformSandbox, requireTerraform, shouldSkipTerraformTests, type TerraformSandbox } from "../../harness/terraform-env.ts";
import { BackendChangedError } from "../../src/errors.ts";
import { INIT_RECORD_FILE } from "../../src/terraform/init-record.ts";
import { TerraformCli } from "../../src/terraform/terraform.ts";

const skip = shouldSkipTerraformTests();
let sandbox: TerraformSandbox;
let dir: string;
let log: string;
let terraform: TerraformCli;

const config = (backendPath: string, version = sandbox.providerVersion) =>
  JSON.stringify({
    terraform: { required_providers: { okta: { source: "okta/okta", version } }, backend: { local: { path: backendPath } } },
    resource: { terraform_data: { one: { input: "x" } } },
  });
/** The subcommands the wrapper saw, in order. */
const runs = () => readFileSync(log, "utf8").split("\n").filter(Boolean);
const inits = () => runs().filter((command) => command === "init").length;

beforeEach(async () => {
  if (skip) return;
  // Its own mirror: a test below rewrites and removes the mirror's packages.
  sandbox = await createTerraformSandbox({ emulatorUrl: "http://127.0.0.1:9", token: "unused", privateInstall: true });
  dir = sandbox.workDir;
  log = path.join(sandbox.dir, "runs.log");
  writeFileSync(log, "");
  const wrapper = path.join(sandbox.dir, "terraform-logged");
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${requireTerraform()}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  terraform = new TerraformCli({ binary: wrapper, env: { TF_CLI_CONFIG_FILE: sandbox.cliConfigFile } });
  await writeFile(path.join(dir, "cdk.tf.json"), config("terraform.tfstate"));
});
afterEach(() => {
  if (!skip) sandbox.cleanup();
});

describe.skipIf(skip)("terraform init in a stack folder already initialized", () => {
  it("runs once, then is skipped while nothing changed, and plan still works", async () => {
    await terraform.init(dir);
    await terraform.init(dir);
    await terraform.init(dir);
    expect(inits()).toBe(1);
    await terraform.plan(dir, { out: path.join(dir, "p.tfplan"), refresh: false });
    expect(runs()).toEqual(["init", "plan"]);
  }, 120_000);

  it("runs again when the lock file changes or is removed (another provider checksum, a fresh checkout)", async () => {
    await terraform.init(dir);
    appendFileSync(path.join(dir, ".terraform.lock.hcl"), "\n# edited\n");
    await terraform.init(dir);
    expect(inits()).toBe(2);
    await unlink(path.join(dir, ".terraform.lock.hcl"));
    await terraform.init(dir);
    expect(inits()).toBe(3);
    await terraform.init(dir);
    expect(inits()).toBe(3);
  }, 120_000);

  it("runs again when the backend changes, and fails as before (the backend must be migrated)", async () => {
    await terraform.init(dir);
    await terraform.apply(dir, await planned());
    await writeFile(path.join(dir, "cdk.tf.json"), config("moved.tfstate"));
    await expect(terraform.init(dir)).rejects.toThrow(BackendChangedError);
    expect(inits()).toBe(2);
    // Still not current: the next run tries again rather than planning against the old backend.
    await expect(terraform.init(dir)).rejects.toThrow(BackendChangedError);
    expect(inits()).toBe(3);
    await terraform.init(dir, { migrateState: true });
    await terraform.init(dir);
    expect(inits()).toBe(4);
  }, 120_000);

  it("runs again when .terraform is gone (another machine, a clean CI runner) or its record was cut short", async () => {
    await terraform.init(dir);
    await rm(path.join(dir, ".terraform"), { recursive: true, force: true });
    await terraform.init(dir);
    expect(inits()).toBe(2);
    writeFileSync(path.join(dir, ".terraform", INIT_RECORD_FILE), '{"version":1,"fingerp');
    await terraform.init(dir);
    expect(inits()).toBe(3);
  }, 120_000);

  it("runs again when the installed provider changes (another package in the mirror, a link leading nowhere)", async () => {
    await terraform.init(dir);
    // The mirror's package rewritten: Terraform refuses it (its checksum is not the locked one), and says so at init.
    appendFileSync(sandbox.providerExecutable, "# another build\n");
    await expect(terraform.init(dir)).rejects.toThrow(/checksum|does not match/i);
    expect(inits()).toBe(2);
    await rm(path.join(sandbox.mirrorDir), { recursive: true, force: true });
    await expect(terraform.init(dir)).rejects.toThrow();
    expect(inits()).toBe(3);
  }, 120_000);

  it("runs again when the configuration asks for another provider version", async () => {
    await terraform.init(dir);
    await writeFile(path.join(dir, "cdk.tf.json"), config("terraform.tfstate", "4.19.0"));
    await expect(terraform.init(dir)).rejects.toThrow();
    expect(inits()).toBe(2);
  }, 120_000);

  it("runs again after an init that failed: no record is left behind", async () => {
    await writeFile(path.join(dir, "cdk.tf.json"), "{ not json");
    await expect(terraform.init(dir)).rejects.toThrow();
    await writeFile(path.join(dir, "cdk.tf.json"), config("terraform.tfstate"));
    await terraform.init(dir);
    await terraform.init(dir);
    expect(inits()).toBe(2);
  }, 120_000);

  it("always runs -migrate-state and -reconfigure", async () => {
    await terraform.init(dir);
    await terraform.init(dir, { reconfigure: true });
    await terraform.init(dir, { migrateState: true });
    expect(inits()).toBe(3);
    await terraform.init(dir);
    expect(inits()).toBe(3);
  }, 120_000);
});

async function planned(): Promise<string> {
  const out = path.join(dir, "p.tfplan");
  await terraform.plan(dir, { out, refresh: false });
  return out;
}
