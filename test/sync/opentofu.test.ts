// `--terraform-binary tofu`, `terraformBinary: tofu` in cerby-okta.yaml and
// $TERRAFORM_BINARY_NAME through every entry that runs Terraform: plan, apply,
// watch --apply and cdktf deploy.
//
// OpenTofu cannot be installed here (no Debian or npm package), so `tofu` is a
// stand-in: it answers `version -json` as OpenTofu 1.10 does and hands every
// other command to the real `terraform`. What this proves: which binary each
// entry runs, that it is asked its version first, and that a `terraform` on
// PATH (shadowed by a logger) is never run instead. What it does not: OpenTofu's
// own behaviour, nor its registry.opentofu.org address for okta/okta (the
// mirror holds both; Terraform reads only registry.terraform.io).
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { brandsWorkspace } from "../../harness/workspace-fixture.ts";

const TOFU_VERSION = '{\n  "terraform_version": "1.10.7",\n  "platform": "linux_amd64",\n  "provider_selections": {}\n}';

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(shouldSkipTerraformTests())("OpenTofu as the Terraform binary (a stand-in `tofu`)", () => {
  let harness: SyncHarness;
  let env: Record<string, string>;
  let tofuLog: string;
  let terraformLog: string;
  const calls = async (log: string) => (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
  const write = (accounts: number, rename = "") => {
    const document = brandsWorkspace(accounts);
    if (rename) document.accounts[0]!.name = rename;
    return writeFile(path.join(harness.cwd, "workspaces", "big", "workspace.json"), JSON.stringify(document, null, 2));
  };
  const labels = () => [...harness.emulator.state.apps.values()].map((app) => app.label).sort();

  beforeAll(async () => {
    const realTerraform = requireTerraform();
    harness = await SyncHarness.start(async (dir) => {
      await mkdir(path.join(dir, "big"), { recursive: true });
      await writeFile(path.join(dir, "big", "workspace.json"), JSON.stringify(brandsWorkspace(2), null, 2));
    });
    const bin = path.join(harness.cwd, "bin");
    await mkdir(bin);
    tofuLog = path.join(harness.cwd, "tofu.log");
    terraformLog = path.join(harness.cwd, "terraform.log");
    await writeFile(
      path.join(bin, "tofu"),
      `#!/bin/sh\necho "$1" >> '${tofuLog}'\nif [ "$1" = version ]; then cat <<'EOF'\n${TOFU_VERSION}\nEOF\nexit 0; fi\nexec '${realTerraform}' "$@"\n`,
    );
    // A `terraform` first on PATH that only logs: anything run as `terraform` instead of tofu shows here.
    await writeFile(path.join(bin, "terraform"), `#!/bin/sh\necho "$1 $(ps -o args= -p $PPID | cut -c1-200)" >> '${terraformLog}.who'\necho "$1" >> '${terraformLog}'\nexec '${realTerraform}' "$@"\n`);
    await chmod(path.join(bin, "tofu"), 0o755);
    await chmod(path.join(bin, "terraform"), 0o755);
    env = { PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it("plans and applies with --terraform-binary tofu, asking its version once per run, and never runs terraform", async () => {
    const plan = await harness.cli(["plan", "--terraform-binary", "tofu"], { env });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const apply = await harness.cli(["apply", "--terraform-binary", "tofu"], { env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(labels()).toEqual(["Brand 0 - Instagram", "Brand 1 - Instagram"]);
    const tofu = await calls(tofuLog);
    expect(tofu.filter((command) => command === "version")).toHaveLength(2);
    expect(tofu[0]).toBe("version");
    expect(tofu).toContain("plan");
    expect(tofu).toContain("apply");
    expect(await calls(terraformLog), (await calls(`${terraformLog}.who`)).join("\n")).toEqual([]);
  }, 180_000);

  it("runs the binary cerby-okta.yaml names (terraformBinary: tofu) for plan, apply and watch --apply", async () => {
    await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), "terraformBinary: tofu\n");
    await write(2, "Brand zero");
    const before = (await calls(tofuLog)).length;
    const plan = await harness.cli(["plan"], { env });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const apply = await harness.cli(["apply"], { env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(labels()).toEqual(["Brand 1 - Instagram", "Brand zero - Instagram"]);
    expect((await calls(tofuLog)).length).toBeGreaterThan(before);

    const watch = harness.cli(["watch", "--apply"], { env });
    let output = "";
    watch.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    watch.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor("watch to start", () => /watching/i.test(output), 60_000);
      await write(3, "Brand zero");
      await waitFor("the new account to reach Okta", () => labels().includes("Brand 2 - Instagram"));
    } finally {
      watch.kill("SIGTERM");
      await watch;
    }
    expect(output).not.toMatch(/error/i);
    expect(await calls(terraformLog)).toEqual([]);
  }, 240_000);

  it("has cdktf deploy refuse to run terraform for a project that names tofu, and deploy with TERRAFORM_BINARY_NAME=tofu", async () => {
    await write(3, "Brand nought");
    const refused = await harness.cdktf(["deploy", "ws-big", "--auto-approve"], { env });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("terraformBinary is tofu, but cdktf runs $TERRAFORM_BINARY_NAME, which is not set (so: terraform)");
    expect(labels()).not.toContain("Brand nought - Instagram");

    const deployed = await harness.cdktf(["deploy", "ws-big", "--auto-approve"], { env: { ...env, TERRAFORM_BINARY_NAME: "tofu" } });
    expect(deployed.exitCode, deployed.stdout + deployed.stderr).toBe(0);
    expect(labels()).toContain("Brand nought - Instagram");
    // cdktf-cli asks `terraform -v` and `terraform version -json` before it runs the app, in the refused run: nothing else ran terraform.
    expect((await calls(terraformLog)).filter((command) => command !== "version" && command !== "-v"), (await calls(`${terraformLog}.who`)).join("\n")).toEqual([]);
  }, 240_000);

  it("refuses a binary older than 1.7 before it runs anything, naming it and its file", async () => {
    const old = path.join(harness.cwd, "bin", "tofu-1.6");
    await writeFile(old, `#!/bin/sh\nif [ "$1" = version ]; then echo '{"terraform_version": "1.6.2", "platform": "linux_amd64", "provider_selections": {}}'; exit 0; fi\necho "ran $1" >&2; exit 1\n`);
    await chmod(old, 0o755);
    await write(3, "Brand old");
    const plan = await harness.cli(["plan", "--all", "--terraform-binary", "tofu-1.6"], { env });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(`tofu-1.6 (${old}): version 1.6.2 is too old: cerby-okta runs Terraform or OpenTofu 1.7 or later, below 2.0`);
    expect(plan.stderr).not.toContain("ran ");
  }, 120_000);
});
