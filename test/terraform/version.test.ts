// The Terraform version check: `<binary> version -json`, once per process,
// against the documented range; the refusal names the binary and its file.
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";
import { TerraformCli } from "../../src/terraform/terraform.ts";
import { checkTerraformVersion, parseVersionOutput, versionProblem } from "../../src/terraform/version.ts";

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

/** Terraform 1.11.4's own output, and OpenTofu's (same key, no `terraform_outdated`). */
const TERRAFORM_1_11 = '{\n  "terraform_version": "1.11.4",\n  "platform": "linux_amd64",\n  "provider_selections": {},\n  "terraform_outdated": false\n}';
const tofuOutput = (version: string) => `{\n  "terraform_version": "${version}",\n  "platform": "linux_amd64",\n  "provider_selections": {}\n}`;

/** A binary named `name` in a folder of its own that logs each subcommand and answers `version -json` with `output`. */
async function fakeBinary(name: string, output: string, exitCode = 0): Promise<{ folder: string; calls: () => string[] }> {
  const folder = path.join(dir, `bin-${name}-${Math.random().toString(36).slice(2)}`);
  const log = path.join(folder, "calls.log");
  await mkdir(folder);
  await writeFile(path.join(folder, name), `#!/bin/sh\necho "$1" >> '${log}'\nif [ "$1" = version ]; then cat <<'EOF'\n${output}\nEOF\nexit ${exitCode}; fi\nexit 0\n`);
  await chmod(path.join(folder, name), 0o755);
  return { folder, calls: () => readFileSync(log, "utf8").trim().split("\n") };
}

describe("reading `version -json`", () => {
  it("reads Terraform's and OpenTofu's version, and nothing else", () => {
    expect(parseVersionOutput(TERRAFORM_1_11)).toBe("1.11.4");
    expect(parseVersionOutput(tofuOutput("1.10.7"))).toBe("1.10.7");
    expect(parseVersionOutput("Terraform v1.11.4\non linux_amd64")).toBeUndefined();
    expect(parseVersionOutput('{"terraform_version": "latest"}')).toBeUndefined();
    expect(parseVersionOutput('{"terraform_version": 1.11}')).toBeUndefined();
  });

  it("accepts 1.7 up to any 1.x, and refuses older and 2.0 on", () => {
    for (const version of ["1.7.0", "1.11.4", "1.15.0", "1.16.2", "1.10.0-rc1"]) expect(versionProblem(version), version).toBeUndefined();
    expect(versionProblem("1.6.6")).toBe("version 1.6.6 is too old");
    expect(versionProblem("0.15.5")).toBe("version 0.15.5 is too old");
    expect(versionProblem("2.0.0")).toBe("version 2.0.0 is a major version cerby-okta was not built for");
  });
});

describe("checking the binary a run uses", () => {
  it("refuses a Terraform older than 1.7, naming the binary, the file it ran, the range and what to do", async () => {
    const old = await fakeBinary("terraform", '{"terraform_version": "1.6.6", "platform": "linux_amd64", "provider_selections": {}, "terraform_outdated": true}');
    const check = checkTerraformVersion("terraform", { PATH: `${old.folder}${path.delimiter}${process.env.PATH}` });
    await expect(check).rejects.toThrow(
      `terraform (${path.join(old.folder, "terraform")}): version 1.6.6 is too old: cerby-okta runs Terraform or OpenTofu 1.7 or later, below 2.0 (the stacks' import blocks use for_each); tested with Terraform 1.11. ` +
        "Install a supported version, or name another binary with --terraform-binary, $TERRAFORM_BINARY_NAME or terraformBinary in cerby-okta.yaml. Nothing was changed",
    );
    await expect(check).rejects.toHaveProperty("name", "UsageError");
  });

  it("refuses a binary that reports no version, with what it said", async () => {
    const odd = await fakeBinary("tf", "Usage: tf [options]", 1);
    await expect(checkTerraformVersion(path.join(odd.folder, "tf"), {})).rejects.toThrow(
      `\`${path.join(odd.folder, "tf")} version -json\` (${path.join(odd.folder, "tf")}) did not report a version (exit 1: Usage: tf [options])`,
    );
  });

  it("says a binary not on PATH is not found", async () => {
    await expect(checkTerraformVersion("no-such-tofu", { PATH: dir })).rejects.toThrow("cannot run no-such-tofu: not found on PATH (set --terraform-binary or TERRAFORM_BINARY_NAME)");
  });

  it("asks once per process, however many commands and stacks follow, before the first of them", async () => {
    const tofu = await fakeBinary("tofu", tofuOutput("1.10.7"));
    const terraform = new TerraformCli({ binary: path.join(tofu.folder, "tofu"), checkVersion: true });
    const again = new TerraformCli({ binary: path.join(tofu.folder, "tofu"), checkVersion: true });
    await terraform.init(dir);
    await Promise.all([terraform.init(dir), again.init(dir), again.forget(dir, ["okta_group.access[\"a\"]"])]);
    // The three commands run at once, in any order; the version check comes first, once.
    const calls = tofu.calls();
    expect(calls[0]).toBe("version");
    expect(calls.slice(1).sort()).toEqual(["init", "init", "init", "state"]);
  });

  it("checks ahead when asked, so that the first command does not wait for it, and reports a refusal only when a command runs", async () => {
    const tofu = await fakeBinary("tofu", tofuOutput("1.10.8"));
    const terraform = new TerraformCli({ binary: path.join(tofu.folder, "tofu"), checkVersion: true });
    terraform.checkVersionSoon();
    await expect.poll(() => existsSync(path.join(tofu.folder, "calls.log")), { timeout: 60_000 }).toBe(true);
    expect(tofu.calls()).toEqual(["version"]);
    await terraform.init(dir);
    expect(tofu.calls()).toEqual(["version", "init"]);

    const old = await fakeBinary("terraform", '{"terraform_version": "1.5.6", "platform": "linux_amd64", "provider_selections": {}, "terraform_outdated": true}');
    const refused = new TerraformCli({ binary: path.join(old.folder, "terraform"), checkVersion: true });
    refused.checkVersionSoon(); // nothing thrown, nothing unhandled
    await expect.poll(() => existsSync(path.join(old.folder, "calls.log")), { timeout: 60_000 }).toBe(true);
    await expect(refused.init(dir)).rejects.toThrow("version 1.5.6 is too old");
    expect(old.calls()[0]).toBe("version");
    expect(old.calls()).not.toContain("init");
  });

  it("runs nothing of a refused binary", async () => {
    const old = await fakeBinary("terraform", '{"terraform_version": "1.5.7", "platform": "linux_amd64", "provider_selections": {}, "terraform_outdated": true}');
    const terraform = new TerraformCli({ binary: path.join(old.folder, "terraform"), checkVersion: true });
    await expect(terraform.init(dir)).rejects.toThrow("version 1.5.7 is too old");
    await expect(terraform.plan(dir, { out: "p.tfplan", refresh: false })).rejects.toThrow("version 1.5.7 is too old");
    // A refusal is not remembered as an answer: asked again on the next command (a watch session after an upgrade).
    expect(old.calls()).toEqual(["version", "version"]);
  });
});
