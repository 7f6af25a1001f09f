import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { register } from "../../src/cli/commands/snapshot.ts";
import { WorkspaceFileSchema } from "../../src/workspace/schema.ts";
import {
  FakeCerbyApi,
  account,
  emptyData,
  largeWorkspace,
  ref,
  smallWorkspace,
  user,
  type FakeCerbyData,
  type PagingStyle,
} from "../fakes/cerby-api.ts";
import { randomSecret, runCommand, type CliResult } from "../fakes/cli.ts";

let dir: string;
let out: string;
let api: FakeCerbyApi | undefined;
let apiKey: string;
const settingsFlags = ["--workspace-id", "ws-acme", "--workspace-name", "Acme Social", "--okta-org", "acme", "--okta-base-url", "okta.com", "--extended-account-access"];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "snapshot-test-"));
  await mkdir(join(dir, "acme"));
  out = join(dir, "acme", "snapshot.json");
  apiKey = randomSecret("ck_");
});

afterEach(async () => {
  await api?.close();
  api = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function serve(data: FakeCerbyData, setup?: (api: FakeCerbyApi) => void): Promise<FakeCerbyApi> {
  api = await new FakeCerbyApi(data, apiKey).start();
  setup?.(api);
  return api;
}

async function snapshot(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCommand(
    register,
    ["snapshot", "--out", out, "--base-url", api!.baseUrl, ...settingsFlags, ...extra],
    { CERBY_API_KEY: apiKey, CI: "true", ...env },
  );
  // No secret in any output, whatever happened.
  expect(result.stdout).not.toContain(apiKey);
  expect(result.stderr).not.toContain(apiKey);
  return result;
}

async function filesIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

/** In every failure nothing is written: no snapshot, no temporary file left behind. */
async function expectNothingWritten(): Promise<void> {
  expect(await filesIn(join(dir, "acme"))).toEqual([]);
}

describe("snapshot", () => {
  it("writes a valid format-v1 snapshot, sorted by ID, with roles normalized and extra fields ignored", async () => {
    await serve(smallWorkspace());
    const result = await snapshot();
    expect(result.code).toBe(0);
    const text = await readFile(out, "utf8");
    expect(text).not.toContain(apiKey);
    const file = JSON.parse(text);
    expect(WorkspaceFileSchema.safeParse(file).success).toBe(true);
    expect(file).toEqual({
      version: 1,
      workspace: { id: "ws-acme", name: "Acme Social", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
      users: [
        { id: "u-alice", email: "alice@acme.example", oktaUserId: "00ualice", workspaceRole: "owner" },
        { id: "u-bob", email: "bob@acme.example", workspaceRole: "user" },
        { id: "u-carol", email: "carol@acme.example", workspaceRole: "login_only" },
      ],
      teams: [
        { id: "t-agency", name: "Agency Partners", members: ["u-bob", "u-carol"] },
        { id: "t-social", name: "Social Media", oktaGroupId: "00gsocial", members: ["u-alice"] },
      ],
      accounts: [
        {
          id: "a-contentzilla",
          name: "Contentzilla",
          app: "Instagram",
          grants: [
            { user: "u-alice", role: "owner" },
            { user: "u-bob", role: "collaborator" },
            { team: "t-social", role: "collaborator" },
          ],
          okta: { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" },
        },
        { id: "a-vendor", name: "Vendor Portal", app: "Acme Vendors", grants: [{ user: "u-carol", role: "manager" }, { team: "t-agency", role: "owner" }] },
      ],
    });
    expect(result.stderr).toContain("wrote");
    expect(api!.requests.every((request) => request.apiKeyOk)).toBe(true);
  });

  it("gives byte-identical files when run again, and says the snapshot is unchanged", async () => {
    await serve(largeWorkspace(57));
    expect((await snapshot(["--page-size", "7"])).code).toBe(0);
    const first = await readFile(out, "utf8");
    api!.data.accounts.reverse();
    const again = await snapshot(["--page-size", "11"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("unchanged");
    expect(await readFile(out, "utf8")).toBe(first);
  });

  it("reuses the workspace settings of the previous snapshot when no flag gives them", async () => {
    await serve(smallWorkspace());
    expect((await snapshot()).code).toBe(0);
    const first = await readFile(out, "utf8");
    const again = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl], { CERBY_API_KEY: apiKey, CI: "true" });
    expect(again.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe(first);
  });

  it("says which settings flags are missing on a first run", async () => {
    await serve(smallWorkspace());
    const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl, "--workspace-id", "ws-acme"], { CERBY_API_KEY: apiKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("pass --okta-org, --okta-base-url");
    await expectNothingWritten();
  });

  it("leaves the settings in a workspace.yaml beside the snapshot, and refuses settings flags then", async () => {
    await serve(smallWorkspace());
    const yamlText = "version: 1\nworkspace:\n  id: ws-acme\n  name: Acme\n  okta: { orgName: acme, baseUrl: okta.com }\n";
    await writeFile(join(dir, "acme", "workspace.yaml"), yamlText);
    const refused = await snapshot();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/workspace\.yaml holds the workspace settings.*--workspace-id/);
    const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl], { CERBY_API_KEY: apiKey, CI: "true" });
    expect(result.code).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.workspace).toBeUndefined();
    expect(file.users).toHaveLength(3);
    expect(await readFile(join(dir, "acme", "workspace.yaml"), "utf8")).toBe(yamlText);
    expect(result.stderr).not.toContain("warning");
  });

  it("warns when other files of the folder hold lists that will be concatenated with the snapshot", async () => {
    await serve(smallWorkspace());
    await writeFile(join(dir, "acme", "extra.yml"), "accounts: []\n");
    const result = await snapshot();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("snapshot: warning: extra.yml in the same folder also hold users, teams or accounts");
  });

  it("writes an empty workspace as empty lists", async () => {
    await serve(emptyData());
    expect((await snapshot()).code).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file).toMatchObject({ users: [], teams: [], accounts: [] });
    expect(WorkspaceFileSchema.safeParse(file).success).toBe(true);
  });

  it("fails without CERBY_API_KEY, naming the variable", async () => {
    await serve(smallWorkspace());
    const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl, ...settingsFlags], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CERBY_API_KEY is not set");
    expect(api!.requests).toEqual([]);
  });

  it("reports a rejected key without echoing it", async () => {
    await serve(smallWorkspace());
    const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl, ...settingsFlags], { CERBY_API_KEY: randomSecret("wrong_") });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cerby API GET \/(users|teams|accounts) page 1: HTTP 401/);
    await expectNothingWritten();
  });
});

describe("snapshot paging", () => {
  it.each<PagingStyle>(["meta", "links", "next-only", "none"])("reads every page when pages are announced by %s", async (style) => {
    await serve(largeWorkspace(237), (fake) => (fake.paging = style));
    const result = await snapshot(["--page-size", "10", "--concurrency", "3"]);
    expect(result.code).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.accounts).toHaveLength(237);
    expect(file.accounts.map((a: { id: string }) => a.id)).toEqual([...file.accounts.map((a: { id: string }) => a.id)].sort());
    const pages = api!.requestsTo("/accounts").map((request) => request.page);
    expect(new Set(pages)).toEqual(new Set(Array.from({ length: 24 }, (_, i) => i + 1)));
    expect(api!.maxInFlight).toBeLessThanOrEqual(3);
  });

  it("trusts page 1 when the server caps the page size below the one asked for", async () => {
    await serve(largeWorkspace(95), (fake) => (fake.maxPageSize = 20));
    expect((await snapshot(["--page-size", "50"])).code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).accounts).toHaveLength(95);
  });

  it("fetches pages concurrently, but never more than --concurrency at once", async () => {
    await serve(largeWorkspace(300), (fake) => (fake.latencyMs = 5));
    expect((await snapshot(["--page-size", "5", "--concurrency", "6"])).code).toBe(0);
    expect(api!.maxInFlight).toBeGreaterThan(1);
    expect(api!.maxInFlight).toBeLessThanOrEqual(6);
  });

  it("fails when a page inside the announced range comes back empty", async () => {
    await serve(largeWorkspace(50), (fake) => fake.faults.push({ route: "/accounts", page: 3, kind: "empty-page" }));
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cerby API GET /accounts page 3: the page is empty although the API announced 5 pages");
    await expectNothingWritten();
  });
});

describe("snapshot failures", () => {
  it("honours Retry-After on 429, says it is waiting, and succeeds without really waiting minutes", async () => {
    await serve(largeWorkspace(30), (fake) => fake.faults.push({ route: "/accounts", page: 2, kind: "429", retryAfter: "300" }));
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("GET /accounts page 2: rate limited; waiting 5m before retrying");
    expect(result.ms).toBeLessThan(5_000);
    expect(api!.requestsTo("/accounts").filter((request) => request.page === 2)).toHaveLength(2);
    expect(JSON.parse(await readFile(out, "utf8")).accounts).toHaveLength(30);
  });

  it("shows progress while waiting when --progress is given, even in CI", async () => {
    await serve(largeWorkspace(30), (fake) => fake.faults.push({ route: "/users", kind: "429", retryAfter: "120" }));
    const result = await snapshot(["--page-size", "10", "--progress"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/snapshot: .*waiting \d+(m\d+s|m|s) more for the rate limit, .* elapsed/);
    expect(result.stderr).toMatch(/snapshot: all pages read in/);
  });

  it("stays quiet in CI without --progress", async () => {
    await serve(largeWorkspace(30));
    const result = await snapshot(["--page-size", "10"]);
    expect(result.stderr).not.toMatch(/elapsed/);
  });

  it("gives up when honouring Retry-After would exceed --max-wait, writing nothing", async () => {
    await serve(largeWorkspace(30), (fake) => fake.faults.push({ route: "/accounts", page: 2, kind: "429", retryAfter: "300", times: 5 }));
    const result = await snapshot(["--page-size", "10", "--max-wait", "600"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cerby API GET /accounts page 2: HTTP 429 (rate limited); waiting 5m more would exceed the cap of 10m");
    await expectNothingWritten();
  });

  it("reports a fatal error at once, without finishing a rate-limit wait elsewhere (real clock)", async () => {
    await serve(smallWorkspace(), (fake) => {
      fake.faults.push({ route: "/users", kind: "429", retryAfter: "300" });
      fake.faults.push({ route: "/teams", kind: "malformed" });
      fake.latencyMs = 20;
    });
    const result = await runCommand(register, ["snapshot", "--out", out, "--base-url", api!.baseUrl, ...settingsFlags], { CERBY_API_KEY: apiKey, CI: "true" }, 1);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /teams page 1: the answer is not valid JSON");
    expect(result.ms).toBeLessThan(5_000);
    await expectNothingWritten();
  });

  it("retries a 5xx with backoff and then succeeds", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/teams", kind: "503", times: 2 }));
    const result = await snapshot();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("GET /teams page 1: HTTP 503: Server error; waiting 1s before retrying");
    expect(result.stderr).toContain("GET /teams page 1: HTTP 503: Server error; waiting 2s before retrying");
  });

  it("fails naming route and page when 5xx persists past --max-retries", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/accounts/a-vendor/teams", kind: "500", times: 99 }));
    const result = await snapshot(["--max-retries", "2"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /accounts/a-vendor/teams page 1: HTTP 500: Server error, still failing after 3 attempts");
    await expectNothingWritten();
  });

  it("retries a connection dropped mid-page", async () => {
    await serve(largeWorkspace(40), (fake) => fake.faults.push({ route: "/accounts", page: 3, kind: "drop" }));
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/GET \/accounts page 3: connection dropped while reading the answer/);
    expect(JSON.parse(await readFile(out, "utf8")).accounts).toHaveLength(40);
  });

  it("fails naming route and page when the connection keeps dropping, writing nothing", async () => {
    await serve(largeWorkspace(40), (fake) => fake.faults.push({ route: "/accounts", page: 4, kind: "drop", times: 99 }));
    const result = await snapshot(["--page-size", "10", "--max-retries", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: Cerby API GET \/accounts page 4: connection dropped while reading the answer .*still failing after 2 attempts/);
    await expectNothingWritten();
  });

  it("fails on malformed JSON, naming route and page, writing nothing", async () => {
    await serve(largeWorkspace(40), (fake) => fake.faults.push({ route: "/accounts", page: 2, kind: "malformed" }));
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: Cerby API GET \/accounts page 2: the answer is not valid JSON/);
    await expectNothingWritten();
  });

  it("fails on an answer without a data list", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/accounts/a-contentzilla/users", kind: "not-json-api" }));
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /accounts/a-contentzilla/users page 1: the answer has no `data` list");
    await expectNothingWritten();
  });

  it("fails on a missing field, naming route, page, item and ID", async () => {
    const data = smallWorkspace();
    data.users.push({ id: "u-nomail", type: "users", attributes: { role: "user" } });
    await serve(data);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: Cerby API GET /users page 1, item 4 (id "u-nomail"): missing attributes.email');
    await expectNothingWritten();
  });

  it("fails on an unknown role, naming it", async () => {
    const data = smallWorkspace();
    data.accountUsers["a-vendor"]!.push(ref("user", "u-bob", "Viewer"));
    await serve(data);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GET /accounts/a-vendor/users page 1, item 2 (id "user-link-u-bob"): attributes.role "Viewer" is not a known account role');
  });

  it("fails when a grant names a user the workspace does not have", async () => {
    const data = smallWorkspace();
    data.accountUsers["a-vendor"]!.push(ref("user", "u-ghost", "owner"));
    await serve(data);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("account a-vendor (GET /accounts/a-vendor/users) grants a role to user u-ghost, who is not in GET /users");
    await expectNothingWritten();
  });

  it("fails when a field has a value the format refuses", async () => {
    const data = smallWorkspace();
    data.users[0] = user("u-carol", "not an email", "user");
    await serve(data);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("users[2 id=u-carol].email: must be an email address");
  });
});

describe("snapshot account-loss guard", () => {
  async function firstSnapshot(n: number): Promise<string> {
    await serve(largeWorkspace(n));
    expect((await snapshot(["--page-size", "50"])).code).toBe(0);
    return readFile(out, "utf8");
  }

  it("refuses a snapshot that lost more than 10% of the accounts", async () => {
    const before = await firstSnapshot(20);
    api!.data.accounts = api!.data.accounts.slice(3);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("lost 3 of the 20 accounts");
    expect(result.stderr).toContain("more than --max-account-loss 10.0%");
    // What was seen, beside the workspace's own count and the snapshot it would replace; the count agrees, so the key is not the cause.
    expect(result.stderr).toMatch(/snapshot: coverage: 17 accounts \(the workspace has 17; previous snapshot 20, 3 missing\), \d+ users \(the workspace has \d+; previous snapshot \d+\), \d+ teams/);
    expect(result.stderr).toContain("The workspace's own count (GET /workspace) is 17 too, so the key saw every account: they seem to be gone from Cerby.");
    expect(result.stderr).not.toContain("coverage: missing");
    expect(result.stderr).toContain("If that really is gone, pass --allow-shrink");
    expect(await readFile(out, "utf8")).toBe(before);
    expect(await filesIn(join(dir, "acme"))).toEqual(["snapshot.json"]);
  });

  it("refuses an empty answer when accounts existed: an API hiccup never empties Okta", async () => {
    const before = await firstSnapshot(20);
    api!.data = { ...emptyData(), users: api!.data.users };
    expect((await snapshot()).code).toBe(1);
    expect(await readFile(out, "utf8")).toBe(before);
  });

  it("accepts the loss under a raised --max-account-loss, with --allow-shrink, or with --force", async () => {
    await firstSnapshot(20);
    api!.data.accounts = api!.data.accounts.slice(3);
    expect((await snapshot(["--max-account-loss", "15"])).code).toBe(0);
    api!.data.accounts = api!.data.accounts.slice(5);
    expect((await snapshot(["--allow-shrink"])).code).toBe(0);
    api!.data.accounts = [];
    expect((await snapshot(["--force"])).code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).accounts).toEqual([]);
  });

  it("accepts new accounts and small losses", async () => {
    await firstSnapshot(20);
    api!.data.accounts = api!.data.accounts.slice(2);
    api!.data.accounts.push(account("a-new", "New", "X"));
    expect((await snapshot()).code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).accounts).toHaveLength(19);
  });

  it("carries oktaStatus recorded by deprovision over to the next snapshot", async () => {
    await firstSnapshot(3);
    const file = JSON.parse(await readFile(out, "utf8"));
    file.users[1].oktaStatus = "SUSPENDED";
    await writeFile(out, JSON.stringify(file, null, 2) + "\n");
    expect((await snapshot()).code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).users[1].oktaStatus).toBe("SUSPENDED");
  });

  it("counts no access lost for a person deprovision recorded as suspended or deprovisioned, once Cerby removed them", async () => {
    await firstSnapshot(20);
    const removeU002 = () => {
      api!.data.users = api!.data.users.filter((item) => item.id !== "u-002");
      for (const id of Object.keys(api!.data.accountUsers)) api!.data.accountUsers[id] = api!.data.accountUsers[id]!.filter((grant) => grant.relationships?.user?.data.id !== "u-002");
    };
    removeU002();
    // Without the status recorded, u-002's 3 accesses of 20 are a loss: refused.
    expect((await snapshot()).stderr).toContain("takes away 3 of the 20 accesses");
    const file = JSON.parse(await readFile(out, "utf8"));
    file.users.find((item: { id: string }) => item.id === "u-002").oktaStatus = "DEPROVISIONED";
    await writeFile(out, JSON.stringify(file, null, 2) + "\n");
    const result = await snapshot();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("6 users (the workspace has 6; previous snapshot 7, 1 missing)");
  });

  it("refuses to replace an unreadable previous snapshot without --force", async () => {
    await serve(smallWorkspace());
    await writeFile(out, "{ not json");
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a valid format-v1 file");
    expect(await readFile(out, "utf8")).toBe("{ not json");
    expect((await snapshot(["--force"])).code).toBe(0);
  });
});

// Each case below is an input an adversarial review used to make the old
// client loop, read or wait without end, or leak the key. What a user needs:
// exit 1, a message naming what was wrong, bounded time, nothing written,
// and the key nowhere.
describe("snapshot against a hostile API", () => {
  const FOREVER = 1e9;

  it("gives up on a server answering 429 with Retry-After: 0 to every request, waiting at least 1s each time", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/users", kind: "429", retryAfter: "0", times: FOREVER }));
    const started = Date.now();
    const result = await snapshot();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("GET /users page 1: rate limited; waiting 1s before retrying");
    expect(result.stderr).toContain("error: Cerby API GET /users page 1: HTTP 429 (rate limited) 11 times for this request; giving up");
    expect(api!.requestsTo("/users")).toHaveLength(11);
    await expectNothingWritten();
  });

  it("stops reading a body that never ends at 16 MiB, without retrying it", async () => {
    await serve(largeWorkspace(30), (fake) => fake.faults.push({ route: "/accounts", page: 1, kind: "endless-body", times: FOREVER }));
    const started = Date.now();
    const result = await snapshot(["--page-size", "10"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /accounts page 1: the answer is larger than 16 MiB, the most one answer may hold; stopped reading it");
    expect(api!.requestsTo("/accounts")).toHaveLength(1);
    // Read up to the cap, then hung up: not gigabytes.
    expect(api!.hostileBytesSent).toBeLessThan(64 * 1024 * 1024);
    await expectNothingWritten();
  });

  it("applies --timeout to the whole body: a body trickling forever fails after the timeout and its retries", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/teams", kind: "drip-body", times: FOREVER }));
    const started = Date.now();
    const result = await snapshot(["--timeout", "0.5", "--max-retries", "1"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("GET /teams page 1: no complete answer within 500ms (--timeout); waiting 1s before retrying");
    expect(result.stderr).toContain("error: Cerby API GET /teams page 1: no complete answer within 500ms (--timeout), still failing after 2 attempts");
    await expectNothingWritten();
  });

  it("refuses a gzip bomb (10 MiB inflating to 10 GiB) once 16 MiB are inflated", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/users", kind: "gzip-bomb", times: FOREVER }));
    const started = Date.now();
    const result = await snapshot();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /users page 1: the answer is larger than 16 MiB once decompressed (gzip)");
    expect(api!.requestsTo("/users")).toHaveLength(1);
    await expectNothingWritten();
  });

  it("refuses paging metadata announcing a billion pages, before requesting any of them", async () => {
    await serve(largeWorkspace(30), (fake) => {
      fake.tamper = (body, route) => {
        if (route === "/accounts") ((body.meta as { page: Record<string, unknown> }).page).totalPages = 1e9;
      };
    });
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Cerby API GET /accounts page 1: the paging metadata contradicts itself: 1000000000 pages for 30 items");
    expect(api!.requestsTo("/accounts")).toHaveLength(1);
    await expectNothingWritten();
  });

  it("refuses a page count past --max-pages when nothing contradicts it (links.last)", async () => {
    await serve(largeWorkspace(30), (fake) => {
      fake.paging = "links";
      fake.tamper = (body, route) => {
        if (route === "/accounts") (body.links as Record<string, unknown>).last = "/api/v1/accounts?page%5Bnumber%5D=1000000000";
      };
    });
    const result = await snapshot(["--page-size", "10"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: Cerby API GET /accounts page 1: the API announces 1000000000 pages, more than --max-pages 10000; nothing more was read. If the workspace really is that large, raise --max-pages",
    );
    expect(api!.requestsTo("/accounts")).toHaveLength(1);
  });

  it("stops following endless links.next pages of new items at --max-pages, and says so", async () => {
    await serve(smallWorkspace(), (fake) => {
      fake.paging = "next-only";
      fake.tamper = (body, route, page, size) => {
        if (route !== "/accounts") return;
        body.data = [account(`a-endless-${page}`, `Endless ${page}`, "X")];
        (body.links as Record<string, unknown>).next = `/api/v1/accounts?page%5Bnumber%5D=${page + 1}&page%5Bsize%5D=${size}`;
      };
    });
    const started = Date.now();
    const result = await snapshot(["--max-pages", "40"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: Cerby API GET /accounts: page 40 still points to a next page (links.next); stopped at --max-pages 40: the API's paging does not seem to end",
    );
    expect(api!.requestsTo("/accounts")).toHaveLength(40);
    await expectNothingWritten();
  });

  it("detects links.next going round in circles through URLs that differ but pages that repeat", async () => {
    await serve(smallWorkspace(), (fake) => {
      fake.paging = "next-only";
      fake.tamper = (body, route, page) => {
        // Every link is new (?loop=n), every page is page 1 again.
        if (route === "/users") (body.links as Record<string, unknown>).next = `/api/v1/users?page%5Bnumber%5D=1&loop=${page}-${Math.random()}`;
      };
    });
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: Cerby API GET /users page 2: the page repeats only items already read on earlier pages; paging is going round in circles",
    );
    expect(api!.requestsTo("/users")).toHaveLength(2);
    await expectNothingWritten();
  });

  it("never prints the key a 5xx body echoes: not in retry lines, not in the final error, not in part", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/teams", kind: "echo-key-500", times: FOREVER }));
    const result = await snapshot(["--max-retries", "2"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("GET /teams page 1: HTTP 500: " + "x".repeat(170) + " bad header X-API-Key: ***");
    expect(result.stderr).toContain("still failing after 3 attempts");
    // The snapshot helper checks the whole key; an excerpt cut mid-key must not leave its start either.
    expect(result.stderr).not.toContain(apiKey.slice(0, 7));
    await expectNothingWritten();
  });

  it("recovers from 5xx answers echoing the key without printing it", async () => {
    await serve(smallWorkspace(), (fake) => fake.faults.push({ route: "/teams", kind: "echo-key-500", times: 1 }));
    const result = await snapshot();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("X-API-Key: ***");
    expect(await readFile(out, "utf8")).not.toContain(apiKey);
  });

  it("refuses to write a snapshot when the API puts the key into the data", async () => {
    const data = smallWorkspace();
    await serve(data);
    data.teams[1]!.attributes.name = `Agency ${apiKey}`;
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: the Cerby API's answers hold the API key itself (in a name, an email or an ID); nothing was written");
    await expectNothingWritten();
  });

  it("refuses an ID repeated across pages with different content, naming the ID and both pages", async () => {
    const data = smallWorkspace();
    data.users = [user("u-1", "first@acme.example"), user("u-2", "two@acme.example"), user("u-1", "second@acme.example", "admin")];
    data.accountUsers = {};
    data.members = {};
    await serve(data);
    const result = await snapshot(["--page-size", "2"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Cerby API GET /users: id "u-1" is on page 1 (item 1) and on page 2 (item 1) with different content; the data changed while paging, or the API gives two items one ID',
    );
    await expectNothingWritten();
  });

  it("keeps an item repeated with the same content once", async () => {
    const data = smallWorkspace();
    data.users.push(user("u-bob", "bob@acme.example", "user"));
    await serve(data, (fake) => (fake.paging = "next-only"));
    const result = await snapshot(["--page-size", "2"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).users.map((u: { id: string }) => u.id)).toEqual(["u-alice", "u-bob", "u-carol"]);
  });

  it("refuses numeric IDs, so that 1 and \"1\" never collide", async () => {
    const data = smallWorkspace();
    data.users.push(user("1", "one@acme.example"), { ...user("x", "uno@acme.example"), id: 1 as unknown as string });
    await serve(data);
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Cerby API GET /users page 1, item 5: `id` is the number 1, not a string: IDs must be strings (JSON:API), and the number 1 would be confused with the ID "1"',
    );
    await expectNothingWritten();
  });
});

describe("snapshot access-loss guard", () => {
  it("refuses a snapshot that keeps every account but takes most people's access away; --force writes it", async () => {
    await serve(largeWorkspace(20));
    expect((await snapshot(["--page-size", "50"])).code).toBe(0);
    const before = await readFile(out, "utf8");
    const ids = Object.keys(api!.data.accountUsers).sort();
    for (const id of ids.slice(2)) api!.data.accountUsers[id] = [];
    const result = await snapshot(["--page-size", "50"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: the new snapshot takes away 18 of the 20 accesses of people to accounts in " + out +
        " (user-account pairs through a grant or a team: 90.0%, more than --max-account-loss 10.0%), e.g. u-002 on a-00002, u-003 on a-00003",
    );
    expect(result.stderr).toContain("nothing was written. The likeliest cause: CERBY_API_KEY belongs to someone who does not own all");
    expect(result.stderr).toContain("If that really is gone, pass --allow-shrink");
    expect(await readFile(out, "utf8")).toBe(before);
    expect(await filesIn(join(dir, "acme"))).toEqual(["snapshot.json"]);
    expect((await snapshot(["--page-size", "50", "--force"])).code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).accounts.filter((a: { grants: unknown[] }) => a.grants.length > 0)).toHaveLength(2);
  });

  it("counts access through teams: emptying a team takes its members' access away", async () => {
    await serve(smallWorkspace());
    expect((await snapshot()).code).toBe(0);
    const before = await readFile(out, "utf8");
    // bob sees a-vendor only through t-agency; carol also holds a direct grant there.
    api!.data.members["t-agency"] = [];
    const result = await snapshot();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("takes away 1 of the 4 accesses of people to accounts");
    expect(result.stderr).toContain("e.g. u-bob on a-vendor");
    expect(await readFile(out, "utf8")).toBe(before);
  });
});
