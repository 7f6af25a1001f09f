// The real binary, as a separate process: flags, environment, exit codes.
// CERBY_OKTA_TIME_SCALE makes its five-minute rate-limit wait take 30 ms.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { FakeCerbyApi, largeWorkspace } from "../fakes/cerby-api.ts";
import { randomSecret } from "../fakes/cli.ts";

const bin = join(import.meta.dirname, "../../bin/cerby-okta.js");
let api: FakeCerbyApi | undefined;
let dir: string | undefined;

afterEach(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("cerby-okta snapshot, run as a process", () => {
  it("writes the snapshot through a rate-limit wait and never prints the key", async () => {
    const apiKey = randomSecret("ck_");
    api = await new FakeCerbyApi(largeWorkspace(25), apiKey).start();
    api.faults.push({ route: "/accounts", page: 2, kind: "429", retryAfter: "300" });
    dir = await mkdtemp(join(tmpdir(), "snapshot-cli-"));
    const out = join(dir, "snapshot.json");
    const result = await execa("node", [bin, "snapshot", "--out", out, "--base-url", api.baseUrl, "--page-size", "10",
      "--workspace-id", "ws-acme", "--okta-org", "acme", "--okta-base-url", "okta.com", "--extended-account-access", "--progress"], {
      env: { CERBY_API_KEY: apiKey, CERBY_OKTA_TIME_SCALE: "0.0001", CI: "true" },
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("GET /accounts page 2: rate limited; waiting 5m before retrying");
    expect(result.stderr).toMatch(/wrote .*snapshot\.json: 7 users, 0 teams, 25 accounts/);
    const text = await readFile(out, "utf8");
    for (const output of [result.stdout, result.stderr, text]) expect(output).not.toContain(apiKey);
    expect(JSON.parse(text).accounts).toHaveLength(25);
  });

  it("exits 1 with a usage message when the key is missing", async () => {
    const result = await execa("node", [bin, "snapshot", "--out", "x.json", "--workspace", "acme"], { env: { CERBY_API_KEY: "" }, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("error: CERBY_API_KEY is not set: the Cerby API key is read only from the environment");
  });
});
