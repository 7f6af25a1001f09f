// Terraform's state-lock error, as Terraform 1.11.4 printed it (recorded in
// test/fixtures/terraform/ with the local backend's lock held by another
// process), becomes a message naming the stack folder and the exact
// force-unlock command.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stateLockAdvice } from "../../src/terraform/state-lock.ts";
import { TerraformCli } from "../../src/terraform/terraform.ts";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/terraform");
const LOCK_ID = "2d6c4f3a-8e7b-1c2d-9f00-aa11bb22cc33";

describe("Terraform's state lock held by another run", () => {
  it("names the stack folder, the holder and the exact force-unlock command", async () => {
    const recorded = await readFile(path.join(fixtures, "state-lock-error.txt"), "utf8");
    const advice = stateLockAdvice(recorded, "/work/project/cdktf.out/stacks/ws-acme", "terraform");
    expect(advice).toBe(
      "the Terraform state of the stack in /work/project/cdktf.out/stacks/ws-acme is locked by another Terraform run " +
        "(by ci@runner-7, running terraform apply, since 2026-12-05 22:01:02.123456 +0000 UTC); nothing was changed. " +
        "If that run is still going (a cerby-okta or cdktf command elsewhere, a CI job), wait for it and run again. " +
        `Once it is surely dead (killed with kill -9, a cancelled CI job), free the lock: run, in that folder:\n  cd /work/project/cdktf.out/stacks/ws-acme && terraform force-unlock ${LOCK_ID}`,
    );
  });

  it("reads the same from apply's -json diagnostic, and quotes a folder with spaces", async () => {
    const { diagnostic } = JSON.parse(await readFile(path.join(fixtures, "state-lock-error.jsonl"), "utf8"));
    const advice = stateLockAdvice(`${diagnostic.summary}\n${diagnostic.detail}`, "/work/my project/stacks/ws-acme", "tofu");
    expect(advice).toContain(`cd '/work/my project/stacks/ws-acme' && tofu force-unlock ${LOCK_ID}`);
  });

  it("says nothing of other errors", () => {
    expect(stateLockAdvice("Error: Invalid provider configuration", "/x", "terraform")).toBeUndefined();
  });

  describe("through the Terraform runner", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "cerby-okta-state-lock-"));
    });
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    /** A `terraform` that prints what Terraform 1.11.4 printed when the lock was held, and fails. */
    async function lockedTerraform(stdout: string, stderr: string): Promise<TerraformCli> {
      const binary = path.join(dir, "terraform");
      await writeFile(binary, `#!/bin/sh\ncat ${JSON.stringify(path.join(fixtures, stdout))}\ncat ${JSON.stringify(path.join(fixtures, stderr))} >&2\nexit 1\n`);
      await chmod(binary, 0o755);
      return new TerraformCli({ binary });
    }

    it("for plan, state rm and the rest", async () => {
      const terraform = await lockedTerraform("empty.txt", "state-lock-error.txt");
      await expect(terraform.plan(dir, { out: "p", refresh: false })).rejects.toThrow(`free the lock: run, in that folder:\n  cd ${dir} && ${path.join(dir, "terraform")} force-unlock ${LOCK_ID}`);
      await expect(terraform.forget(dir, ["okta_app_bookmark.app[\"a-1\"]"])).rejects.toThrow(`is locked by another Terraform run`);
    });

    it("for apply", async () => {
      const terraform = await lockedTerraform("state-lock-error.jsonl", "empty.txt");
      await expect(terraform.apply(dir, "plan.tfplan")).rejects.toThrow(`the Terraform state of the stack in ${dir} is locked by another Terraform run`);
    });
  });
});
