// The Cerby API emulator (harness/cerby-emulator/) seeded from a workspace read
// by the repository's own loader, and `cerby-okta snapshot` against it: a key
// sees only what its creator owns, a bad key is a 401, 429 carries
// Retry-After, and the coverage lines compare what was listed with the
// workspace's own counts and the previous snapshot.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCerbyEmulator, type CerbyEmulator } from "../../harness/cerby-emulator/index.ts";
import { register } from "../../src/cli/commands/snapshot.ts";
import { runCommand, randomSecret, type CliResult } from "../fakes/cli.ts";
import { loadCerbySide } from "../support/cerby-side.ts";
import { removeWrittenWorkspaces } from "../support/temp-workspaces.ts";

let emulator: CerbyEmulator;
let olgaKey: string;
let patKey: string;
let dir: string;
let out: string;
const settings = ["--okta-org", "acme", "--okta-base-url", "okta.com", "--workspace-id", "ws-social", "--extended-account-access"];

beforeEach(async () => {
  const workspaces = await loadCerbySide();
  const started = await startCerbyEmulator({ workspaces });
  emulator = started.emulator;
  olgaKey = started.offered[0]!.key;
  patKey = emulator.addKey("ws-social", "u-pat");
  dir = await mkdtemp(join(tmpdir(), "cerby-emulator-test-"));
  out = join(dir, "snapshot.json");
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

afterAll(removeWrittenWorkspaces);

async function snapshot(key: string, extra: string[] = []): Promise<CliResult> {
  const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", emulator.baseUrlOf("ws-social"), ...settings, ...extra], {
    CERBY_API_KEY: key,
    CI: "true",
  });
  for (const text of [result.stdout, result.stderr, JSON.stringify(emulator.requests)]) {
    expect(text).not.toContain(olgaKey);
    expect(text).not.toContain(patKey);
  }
  return result;
}

describe("the Cerby API emulator", () => {
  it("offers the key of the user who owns the most accounts, and listens on 127.0.0.1", async () => {
    const { emulator: other, offered } = await startCerbyEmulator({ workspaces: await loadCerbySide() });
    await other.close();
    expect(offered).toEqual([
      { workspace: "ws-social", baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/ws-social\/api\/v1\/$/), key: expect.any(String), creator: "u-olga", sees: 3, accounts: 3 },
    ]);
  });

  it("lets the owner of every account snapshot the whole workspace, with coverage against the workspace's own counts", async () => {
    const result = await snapshot(olgaKey);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("snapshot: coverage: 3 accounts (the workspace has 3), 3 users (the workspace has 3), 1 teams (the workspace has 1)\n");
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.accounts.map((account: { id: string }) => account.id)).toEqual(["a-figma", "a-insta", "a-promo"]);
    expect(file.accounts[2].name).toBe('Promo ${file("/etc/hostname")}');
    expect(file.teams).toEqual([{ id: "t-brand", name: "Brand Team", members: ["u-olga"] }]);
  });

  it("refuses the first snapshot of a key that sees fewer accounts than the workspace holds, naming the cause; --allow-shrink writes it", async () => {
    const refused = await snapshot(patKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("snapshot: coverage: 1 accounts (the workspace has 3: 2 not listed), 3 users (the workspace has 3), 1 teams (the workspace has 1)\n");
    expect(refused.stderr).toContain(
      "snapshot: coverage: missing 2 accounts. The likeliest cause: CERBY_API_KEY belongs to someone who does not own all of the workspace's items " +
        "(a Cerby API key returns only what its creator owns, even in all-access mode); use the key of a workspace owner who owns them.\n",
    );
    expect(refused.stderr).toContain(`error: the Cerby API listed 1 of the workspace's 3 accounts (its own count, GET /workspace); nothing was written to ${out}.`);
    expect(refused.stderr).toContain("pass --allow-shrink");
    await expect(readFile(out, "utf8")).rejects.toThrow(/ENOENT/);

    const allowed = await snapshot(patKey, ["--allow-shrink"]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).accounts.map((account: { id: string }) => account.id)).toEqual(["a-figma"]);
  });

  it("names the key as the cause against the previous snapshot when the API gives no counts", async () => {
    expect((await snapshot(olgaKey)).code).toBe(0);
    const before = await readFile(out, "utf8");
    emulator.workspaces.get("ws-social")!.counts = false;
    const refused = await snapshot(patKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "snapshot: coverage: 1 accounts (previous snapshot 3, 2 missing), 3 users (previous snapshot 3), 1 teams (previous snapshot 1); the API gives no workspace counts to compare with (GET /workspace answered none)\n",
    );
    expect(refused.stderr).toContain("snapshot: coverage: missing 2 accounts of the previous snapshot. The likeliest cause: CERBY_API_KEY belongs to someone");
    expect(refused.stderr).toContain("lost 2 of the 3 accounts");
    expect(await readFile(out, "utf8")).toBe(before);
  });

  it("answers 401 to a key it does not know", async () => {
    const result = await snapshot(randomSecret("ck_"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cerby API GET \/\w+ page 1: .*401/);
    expect(emulator.requests.every((request) => request.status === 401 && !request.apiKeyOk)).toBe(true);
    await expect(readFile(out, "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("answers 429 with Retry-After when asked, and the snapshot waits that long", async () => {
    emulator.rateLimitNext(1, "120");
    const result = await snapshot(olgaKey);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/rate limited; waiting 2m before retrying/);
    expect(emulator.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it("hides an account the key may not see from its sub-routes, and lets only an owner or admin remove users", async () => {
    const base = emulator.baseUrlOf("ws-social");
    const get = (route: string, key: string, method = "GET") => fetch(new URL(route, base), { method, headers: { "X-API-Key": key } });
    expect((await get("accounts/a-insta/users", patKey)).status).toBe(404);
    expect((await get("accounts/a-figma/users", patKey)).status).toBe(200);
    expect((await get("users/u-quinn", patKey, "DELETE")).status).toBe(403);
    expect((await get("users/u-quinn", olgaKey, "DELETE")).status).toBe(204);
    expect(emulator.deleted).toEqual(["ws-social/u-quinn"]);
    // Gone with their grants: a-insta's users no longer list quinn.
    const grants = (await (await get("accounts/a-insta/users", olgaKey)).json()) as { data: { relationships: { user: { data: { id: string } } } }[] };
    expect(grants.data.map((grant) => grant.relationships.user.data.id)).toEqual(["u-olga"]);
  });
});
