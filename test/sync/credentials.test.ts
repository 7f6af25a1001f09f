// A missing, wrong or under-privileged OKTA_API_TOKEN is refused before
// Terraform runs, naming the variable and the org, for plan, review, apply
// and reconcile (watch --apply shares plan's check): the real CLI against the Okta emulator.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { harnessForAll } from "../support/sync-harnesses.ts";

const repo = path.resolve(import.meta.dirname, "../..");

describe.skipIf(shouldSkipTerraformTests())("the Okta credentials, checked before Terraform runs", () => {
  const harness = harnessForAll(path.join(repo, "workspaces"));

  const appCount = () => harness.emulator.state.apps.size;
  const noTerraformError = (stderr: string) => {
    expect(stderr).not.toContain("cdk.tf.json");
    expect(stderr).not.toContain("Terraform has been successfully initialized");
  };

  it.each([["plan"], ["review"], ["reconcile"]])("%s without Okta credentials names the variables and each org, and runs no Terraform", async (command) => {
    const run = await harness.cli([command, "--verbose"], { env: { OKTA_API_TOKEN: "" } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("no Okta credentials are set");
    expect(run.stderr).toContain("OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY and OKTA_API_SCOPES");
    expect(run.stderr).toMatch(/Okta org acme\.okta\.com \(stacks? [^)]*ws-acme[^)]*\) at http:\/\/127\.0\.0\.1:\d+\//);
    expect(run.stderr).toContain("Security > API > Tokens");
    noTerraformError(run.stderr);
  }, 120_000);

  it("plan with a wrong token says Okta refuses it (401), with Okta's error, and what to do; nothing else is asked of Okta", async () => {
    harness.emulator.resetRequestLog();
    const run = await harness.cli(["plan", "--verbose"], { env: { OKTA_API_TOKEN: "not-the-token" } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/Okta org acme\.okta\.com \(stacks? [^)]*\): http:\/\/127\.0\.0\.1:\d+\/ refuses OKTA_API_TOKEN \(HTTP 401 E0000011 Invalid token provided to GET \/api\/v1\/users\/me\)/);
    expect(run.stderr).toContain("the token is wrong, expired or revoked");
    expect(run.stderr).not.toContain("not-the-token");
    noTerraformError(run.stderr);
    // One request for the one org of the example workspaces, no more.
    expect(harness.emulator.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual(["GET /api/v1/users/me 401"]);
  }, 120_000);

  it("a token whose admin may not read users (403) is named as such", async () => {
    harness.emulator.failNext({ method: "GET", route: "/api/v1/users/me", status: 403 });
    const run = await harness.cli(["plan"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("refuses OKTA_API_TOKEN (HTTP 403 E0000006 You do not have permission to perform the requested action");
    expect(run.stderr).toContain("the token is valid, but the admin who made it may not read users");
  }, 120_000);

  it("watch --apply with a wrong token reports it at the sync, naming the variable, and applies nothing", async () => {
    const watch = harness.cli(["watch", "--apply"], { env: { OKTA_API_TOKEN: "wrong" } });
    let output = "";
    watch.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!output.includes("refuses OKTA_API_TOKEN (HTTP 401") && Date.now() < deadline && watch.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    watch.kill("SIGTERM");
    await watch;
    expect(output).toContain("refuses OKTA_API_TOKEN (HTTP 401 E0000011 Invalid token provided");
    noTerraformError(output);
    expect(appCount()).toBe(0);
  }, 180_000);

  it("apply of a good plan with a wrong token refuses before Terraform, changing nothing; with the right one it applies", async () => {
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    const before = appCount();
    const wrong = await harness.cli(["apply"], { env: { OKTA_API_TOKEN: "wrong" } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain("refuses OKTA_API_TOKEN (HTTP 401");
    noTerraformError(wrong.stderr);
    expect(appCount()).toBe(before);
    const unset = await harness.cli(["apply"], { env: { OKTA_API_TOKEN: "" } });
    expect(unset.stderr).toContain("no Okta credentials are set");
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(0);
    expect(appCount()).toBeGreaterThan(before);
  }, 180_000);

  it("an unchanged project costs no credential request (R8)", async () => {
    harness.emulator.resetRequestLog();
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(0);
    expect(harness.emulator.requests).toEqual([]);
  }, 120_000);
});
