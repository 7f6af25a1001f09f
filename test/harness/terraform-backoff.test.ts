/** The stand-in provider against the emulator's 429 switch, and import by id. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../harness/okta-emulator.ts";
import { createTerraformSandbox, requireTerraform, shouldSkipTerraformTests, type TerraformResult, type TerraformSandbox } from "../../harness/terraform-env.ts";

const TOKEN = "backoff-test-token";

function ok(r: TerraformResult, what: string): TerraformResult {
  if (r.exitCode !== 0) throw new Error(`terraform ${what} exited ${r.exitCode}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

describe.skipIf(shouldSkipTerraformTests())("stand-in okta provider: rate limits and import", () => {
  let emu: OktaEmulator;
  let sb: TerraformSandbox;

  beforeEach(async () => {
    requireTerraform();
    emu = await startOktaEmulator({ token: TOKEN });
    sb = await createTerraformSandbox({ emulatorUrl: emu.url, token: TOKEN });
  });

  afterEach(async () => {
    sb?.cleanup();
    await emu?.close();
  });

  it("rides out 429 answers with the provider's backoff", async () => {
    writeFileSync(
      join(sb.workDir, "main.tf.json"),
      JSON.stringify({
        terraform: { required_providers: { okta: { source: "okta/okta", version: sb.providerVersion } } },
        provider: { okta: [{ org_name: "acme", base_url: "okta.com", min_wait_seconds: 1, max_wait_seconds: 2, max_retries: 3 }] },
        resource: { okta_app_bookmark: { a: { label: "A", url: "https://a.example/" } } },
      }),
    );
    ok(await sb.terraform(["init", "-no-color"]), "init");
    emu.setRateLimit("apps", { fail429Next: 2, retryAfterSeconds: 1 });
    ok(await sb.terraform(["apply", "-auto-approve", "-no-color"]), "apply");
    expect(emu.requestCount({ status: 429 })).toBe(2);
    expect(emu.findAppsByLabel("A")).toHaveLength(1);
    const id = emu.findAppsByLabel("A")[0]!.id;

    // import by id into a fresh state
    ok(await sb.terraform(["state", "rm", "-no-color", "okta_app_bookmark.a"]), "state rm");
    ok(await sb.terraform(["import", "-no-color", "okta_app_bookmark.a", id]), "import");
    expect((await sb.terraform(["plan", "-detailed-exitcode", "-no-color"])).exitCode).toBe(0);
  }, 60_000);
});
