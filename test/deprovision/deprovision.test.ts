import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { register } from "../../src/cli/commands/deprovision.ts";
import { WorkspaceFileSchema } from "../../src/workspace/schema.ts";
import { FakeCerbyApi, emptyData, user } from "../fakes/cerby-api.ts";
import { randomSecret, runCommand, type CliResult } from "../fakes/cli.ts";
import { FakeOktaApi, type FakeOktaUser } from "../fakes/okta-api.ts";

let dir: string;
/** The state folder (System Log cursors), apart from the workspace folder. */
let stateDir: string;
let okta: FakeOktaApi;
let cerby: FakeCerbyApi | undefined;
let oktaToken: string;
let cerbyKey: string;

const WORKSPACE_YAML = `# Acme's workspace settings
version: 1
workspace:
  id: ws-acme
  name: Acme Social
  extendedAccountAccess: true
  okta: { orgName: acme, baseUrl: okta.com }
`;

const PEOPLE_YAML = `version: 1
users:
  # Alice owns most accounts
  - id: u-alice
    email: alice@acme.example
    workspaceRole: owner
  - id: u-bob        # contractor until March
    email: bob@acme.example
    workspaceRole: user
  - id: u-carol
    email: carol@acme.example
    oktaUserId: 00ucarol
    workspaceRole: admin
teams:
  - id: t-social
    name: Social Media
    oktaGroupId: 00gsocial
    members: [u-alice, u-bob]
`;

const ACCOUNTS_YAML = `# One entry per account; grants sorted by role.
accounts:
  - id: a-contentzilla
    name: Contentzilla
    app: Instagram
    grants:
      - { user: u-alice, role: owner }
      - { user: u-bob, role: collaborator }  # until March
    okta:
      extendedBy: u-alice
      extendedAt: 2026-02-01T09:00:00Z
  - id: a-reels
    name: Reels
    app: TikTok
    grants:
      - { user: u-alice, role: owner }
      - { team: t-social, role: collaborator }
    okta: { extendedBy: u-alice, extendedAt: 2026-02-02T09:00:00Z }
  - id: a-vendor
    name: Vendor Portal
    app: Acme Vendors
    grants:
      - { user: u-bob, role: manager }
`;

const OKTA_USERS: FakeOktaUser[] = [
  { id: "00ualice", login: "alice@acme.example", status: "ACTIVE" },
  { id: "00ubob", login: "bob@acme.example", status: "DEPROVISIONED" },
  { id: "00ucarol", login: "carol@acme.example", status: "SUSPENDED" },
];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deprovision-test-"));
  stateDir = await mkdtemp(join(tmpdir(), "deprovision-state-"));
  oktaToken = randomSecret("00T");
  cerbyKey = randomSecret("ck_");
  okta = await new FakeOktaApi(structuredClone(OKTA_USERS), oktaToken).start();
});

afterEach(async () => {
  await okta.close();
  await cerby?.close();
  cerby = undefined;
  await rm(dir, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

async function writeYamlWorkspace(): Promise<void> {
  await writeFile(join(dir, "workspace.yaml"), WORKSPACE_YAML);
  await writeFile(join(dir, "people.yaml"), PEOPLE_YAML);
  await writeFile(join(dir, "accounts.yml"), ACCOUNTS_YAML);
}

async function contents(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = await readFile(join(dir, name), "utf8");
  return files;
}

async function deprovision(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCommand(register, ["deprovision", dir, "--okta-url", okta.url, "--state-dir", stateDir, ...extra], {
    OKTA_API_TOKEN: oktaToken,
    CI: "true",
    ...env,
  });
  for (const secret of [oktaToken, cerbyKey]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
    for (const text of Object.values(await contents())) expect(text).not.toContain(secret);
  }
  return result;
}

describe("deprovision of a workspace kept in YAML", () => {
  it("prints who would be removed and the chiclets they lose, and changes nothing in a dry run", async () => {
    await writeYamlWorkspace();
    const before = await contents();
    const result = await deprovision();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `3 users of workspace ws-acme (${dir}) checked in Okta: 2 to remove from the Cerby workspace.`,
        `Read every user from Okta, one request each: no System Log cursor yet (the first run).`,
        `Would remove u-bob (bob@acme.example), DEPROVISIONED in Okta, from people.yaml`,
        `  loses 2 chiclets: "Contentzilla - Instagram", "Reels - TikTok"`,
        `  grants on: a-contentzilla, a-vendor`,
        `  member of: t-social`,
        `Would remove u-carol (carol@acme.example), SUSPENDED in Okta, from people.yaml`,
        `  loses no chiclet`,
        `Dry run: nothing changed. Run again with --apply to remove them.`,
        `A dry run keeps no System Log cursor: only --apply starts one, so that no event is skipped before it is acted on.`,
        ``,
      ].join("\n"),
    );
    expect(await contents()).toEqual(before);
    // Looked up by Okta ID when known, else by login.
    expect(okta.requests.map((request) => request.path).sort()).toEqual([
      "/api/v1/users/00ucarol",
      "/api/v1/users/alice%40acme.example",
      "/api/v1/users/bob%40acme.example",
    ]);
    expect(okta.requests.every((request) => request.tokenOk)).toBe(true);
  });

  it("with --apply, removes entries, grants and memberships, keeping every other byte", async () => {
    await writeYamlWorkspace();
    const result = await deprovision(["--apply"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Removed u-bob (bob@acme.example), DEPROVISIONED in Okta, from people.yaml");
    expect(await contents()).toEqual({
      "workspace.yaml": WORKSPACE_YAML,
      "people.yaml": `version: 1
users:
  # Alice owns most accounts
  - id: u-alice
    email: alice@acme.example
    workspaceRole: owner
teams:
  - id: t-social
    name: Social Media
    oktaGroupId: 00gsocial
    members: [u-alice]
`,
      "accounts.yml": `# One entry per account; grants sorted by role.
accounts:
  - id: a-contentzilla
    name: Contentzilla
    app: Instagram
    grants:
      - { user: u-alice, role: owner }
    okta:
      extendedBy: u-alice
      extendedAt: 2026-02-01T09:00:00Z
  - id: a-reels
    name: Reels
    app: TikTok
    grants:
      - { user: u-alice, role: owner }
      - { team: t-social, role: collaborator }
    okta: { extendedBy: u-alice, extendedAt: 2026-02-02T09:00:00Z }
  - id: a-vendor
    name: Vendor Portal
    app: Acme Vendors
    grants: []
`,
    });
    // A second run finds nothing more to do. This fake Okta has no System Log (404, as for a token that may not
    // read it): the run reads every user instead (system-log.test.ts reads the log).
    const again = await deprovision(["--apply"]);
    expect(again.stdout).toContain("Read every user from Okta, one request each: Okta refused the System Log cursor (HTTP 404");
    expect(again.stdout).toContain("1 user of workspace ws-acme");
    expect(again.stdout).toContain("0 to remove");
  });

  it("warns that accounts extended by a removed user need a new extendedBy", async () => {
    await writeYamlWorkspace();
    okta.users[0]!.status = "SUSPENDED";
    const result = await deprovision();
    expect(result.stdout).toContain("  extended a-contentzilla, a-reels: give them a new okta.extendedBy, or they are rejected");
  });

  it("leaves users Okta does not know alone, and says so", async () => {
    await writeYamlWorkspace();
    okta.users = okta.users.filter((oktaUser) => oktaUser.id !== "00ubob");
    const result = await deprovision(["--apply"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Not found in Okta, left alone: u-bob (bob@acme.example): Okta has no user");
    expect(result.stdout).toMatch(/chiclets? wait(s)? for them \(cerby-okta plan leaves them out\): "[^"]+"/);
    expect((await contents())["people.yaml"]).toContain("u-bob");
  });

  it("reaches the Okta that CERBY_OKTA_OKTA_URL names, as plan, apply and adopt do", async () => {
    await writeYamlWorkspace();
    const result = await runCommand(register, ["deprovision", dir], { OKTA_API_TOKEN: oktaToken, CI: "true", CERBY_OKTA_OKTA_URL: okta.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 to remove");
    expect(okta.requests).toHaveLength(3);
  });

  it("counts users the same way in progress and report, pluralised", async () => {
    await writeYamlWorkspace();
    const result = await deprovision(["--progress", "--concurrency", "1"]);
    expect(result.stderr).toMatch(/^deprovision: 1 of 3 users checked, /m);
    expect(result.stderr).not.toMatch(/\b1 users\b/);
    expect(result.stdout).toMatch(/^3 users of workspace ws-acme/);
    await rm(join(dir, "accounts.yml"));
    await writeFile(join(dir, "people.yaml"), "version: 1\nusers: [{ id: u-alice, email: alice@acme.example, workspaceRole: owner }]\n");
    const one = await deprovision(["--progress"]);
    expect(one.stderr).toMatch(/^deprovision: 1 of 1 user checked, /m);
    expect(one.stdout).toMatch(/^1 user of workspace ws-acme/);
  });

  it("names lost chiclets as Okta numbers them (R4) across the project's workspaces of the org", async () => {
    const root = await mkdtemp(join(tmpdir(), "deprovision-project-"));
    try {
      const acme = join(root, "workspaces", "acme");
      const beta = join(root, "workspaces", "beta");
      await mkdir(acme, { recursive: true });
      await mkdir(beta, { recursive: true });
      await writeFile(join(acme, "workspace.yaml"), WORKSPACE_YAML);
      await writeFile(join(acme, "people.yaml"), PEOPLE_YAML);
      // A second Contentzilla in acme, extended later: "(2)" within the workspace...
      await writeFile(
        join(acme, "accounts.yml"),
        `${ACCOUNTS_YAML}  - id: a-contentzilla-eu
    name: Contentzilla
    app: Instagram
    grants: [{ user: u-alice, role: owner }, { user: u-bob, role: collaborator }]
    okta: { extendedBy: u-alice, extendedAt: 2026-03-01T09:00:00Z }
`,
      );
      // ...and one in another workspace of the same org, extended first: it keeps the bare label.
      await writeFile(
        join(beta, "beta.yaml"),
        `version: 1
workspace: { id: ws-beta, name: Beta, extendedAccountAccess: true, okta: { orgName: acme, baseUrl: okta.com } }
users: [{ id: u-b1, email: b1@beta.example, workspaceRole: owner }]
accounts:
  - { id: a-b, name: Contentzilla, app: Instagram, grants: [{ user: u-b1, role: owner }], okta: { extendedBy: u-b1, extendedAt: 2026-01-01T00:00:00Z } }
`,
      );
      const result = await runCommand(register, ["deprovision", acme, "--okta-url", okta.url], {
        OKTA_API_TOKEN: oktaToken,
        CI: "true",
        CERBY_OKTA_WORKSPACES: join(root, "workspaces"),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`  loses 3 chiclets: "Contentzilla - Instagram (2)", "Contentzilla - Instagram (3)", "Reels - TikTok"`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("waits for X-Rate-Limit-Reset on 429 and retries 5xx", async () => {
    await writeYamlWorkspace();
    okta.rateLimited = 1;
    okta.rateLimitSeconds = 60;
    okta.failing = 1;
    const result = await deprovision(["--concurrency", "1"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/deprovision: GET \/api\/v1\/users\/\S+: rate limited; waiting 1m(0[0-2]s)? before retrying/);
    expect(result.stderr).toMatch(/HTTP 500: Internal Server Error; waiting 1s before retrying/);
    // The minute Okta asked for is waited on the test's scaled clock: far less than the minute itself, with room for a busy machine.
    expect(result.ms).toBeLessThan(30_000);
    expect(result.stdout).toContain("2 to remove");
  });

  it("fails clearly on a rejected token, writing nothing", async () => {
    await writeYamlWorkspace();
    const before = await contents();
    const result = await deprovision(["--apply"], { OKTA_API_TOKEN: randomSecret("00T") });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: Okta GET \/api\/v1\/users\/\S+: HTTP 401 Unauthorized: Invalid token provided/);
    expect(await contents()).toEqual(before);
  });

  it("needs Okta credentials", async () => {
    await writeYamlWorkspace();
    const result = await runCommand(register, ["deprovision", dir], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no Okta credentials are set");
  });

  it("reports invalid workspace files with file, line and field", async () => {
    await writeYamlWorkspace();
    await writeFile(join(dir, "people.yaml"), PEOPLE_YAML.replace("workspaceRole: admin", "workspaceRole: wizard"));
    const result = await deprovision();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, "people.yaml")}:13:5 users[2].workspaceRole: must be one of`);
  });
});

describe("deprovision of a workspace kept as a Cerby API snapshot", () => {
  async function writeSnapshot(): Promise<void> {
    const snapshot = {
      version: 1,
      workspace: { id: "ws-acme", name: "Acme", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
      users: [
        { id: "u-alice", email: "alice@acme.example", workspaceRole: "owner" },
        { id: "u-bob", email: "bob@acme.example", workspaceRole: "user" },
        { id: "u-carol", email: "carol@acme.example", oktaUserId: "00ucarol", workspaceRole: "admin" },
      ],
      teams: [],
      accounts: [
        { id: "a-1", name: "Contentzilla", app: "Instagram", grants: [{ user: "u-alice", role: "owner" }, { user: "u-bob", role: "collaborator" }], okta: { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" } },
      ],
    };
    await writeFile(join(dir, "snapshot.json"), JSON.stringify(snapshot, null, 2) + "\n");
    const data = emptyData();
    data.users = [user("u-alice", "alice@acme.example"), user("u-bob", "bob@acme.example"), user("u-carol", "carol@acme.example")];
    cerby = await new FakeCerbyApi(data, cerbyKey).start();
  }

  it("removes them through the Cerby API and records every Okta status in the snapshot", async () => {
    await writeSnapshot();
    const result = await deprovision(["--apply", "--base-url", cerby!.baseUrl], { CERBY_API_KEY: cerbyKey });
    expect(result.code).toBe(0);
    expect(cerby!.deleted.sort()).toEqual(["u-bob", "u-carol"]);
    expect(cerby!.requests.every((request) => request.apiKeyOk && request.method === "DELETE")).toBe(true);
    expect(result.stdout).toContain("Removed u-bob (bob@acme.example), DEPROVISIONED in Okta, through the Cerby API (kept in snapshot.json)");
    expect(result.stdout).toContain("Deleted u-carol from the Cerby workspace");
    const file = JSON.parse((await contents())["snapshot.json"]!);
    expect(WorkspaceFileSchema.safeParse(file).success).toBe(true);
    expect(file.users.map((u: { id: string; oktaStatus?: string }) => [u.id, u.oktaStatus])).toEqual([
      ["u-alice", "ACTIVE"],
      ["u-bob", "DEPROVISIONED"],
      ["u-carol", "SUSPENDED"],
    ]);
    expect(file.accounts[0].grants).toHaveLength(2);
  });

  it("treats a user already gone from Cerby as removed", async () => {
    await writeSnapshot();
    cerby!.data.users = cerby!.data.users.filter((u) => u.id !== "u-bob");
    const result = await deprovision(["--apply", "--base-url", cerby!.baseUrl], { CERBY_API_KEY: cerbyKey });
    expect(result.code).toBe(0);
    expect(cerby!.deleted).toEqual(["u-carol"]);
  });

  it("records statuses even when a DELETE fails, and says which user failed", async () => {
    await writeSnapshot();
    cerby!.faults.push({ route: "/users/u-bob", kind: "500", times: 99 });
    const result = await deprovision(["--apply", "--base-url", cerby!.baseUrl, "--max-retries", "1"], { CERBY_API_KEY: cerbyKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("u-bob: Cerby API DELETE /users/u-bob: HTTP 500: Server error, still failing after 2 attempts");
    expect(cerby!.deleted).toEqual(["u-carol"]);
    expect((await contents())["snapshot.json"]).toContain('"oktaStatus": "DEPROVISIONED"');
  });

  it("refuses --apply without the Cerby API, before changing anything", async () => {
    await writeSnapshot();
    const before = await contents();
    const result = await deprovision(["--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("u-bob, u-carol are kept in a Cerby API snapshot, so removing them needs the Cerby API: set CERBY_API_KEY and pass --workspace or --base-url");
    expect(await contents()).toEqual(before);
    expect(cerby!.requests).toEqual([]);
  });

  it("says a person whose SUSPENDED status is already recorded loses nothing new", async () => {
    await writeSnapshot();
    const snapshot = JSON.parse((await contents())["snapshot.json"]!);
    snapshot.users[2].oktaStatus = "SUSPENDED";
    snapshot.accounts[0].grants.push({ user: "u-carol", role: "collaborator" });
    await writeFile(join(dir, "snapshot.json"), JSON.stringify(snapshot, null, 2) + "\n");
    const result = await deprovision();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        "Would remove u-carol (carol@acme.example), SUSPENDED in Okta, through the Cerby API (kept in snapshot.json)",
        "  loses no chiclet: oktaStatus SUSPENDED is already recorded in the workspace, so Okta shows them none today",
      ].join("\n"),
    );
    expect(result.stdout).toContain(`Would remove u-bob (bob@acme.example), DEPROVISIONED in Okta, through the Cerby API (kept in snapshot.json)\n  loses 1 chiclet: "Contentzilla - Instagram"`);
  });

  it("prints a JSON report with --json", async () => {
    await writeSnapshot();
    const result = await deprovision(["--json"]);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ workspaceId: "ws-acme", checked: 3, applied: false, notFound: [] });
    expect(report.removals.map((removal: { userId: string; via: string; chiclets: string[] }) => [removal.userId, removal.via, removal.chiclets])).toEqual([
      ["u-bob", "cerby-api", ["Contentzilla - Instagram"]],
      ["u-carol", "cerby-api", []],
    ]);
  });
  it("with --json keeps stdout for the document and tells people on stderr; --json-file writes the same document", async () => {
    await writeSnapshot();
    const printed = await deprovision(["--json"]);
    expect(printed.stderr).toMatch(/u-bob/);
    const out = await mkdtemp(join(tmpdir(), "deprovision-report-"));
    try {
      const file = join(out, "report.json");
      const written = await deprovision(["--json-file", file]);
      expect(written.stdout).toMatch(/u-bob/);
      expect(() => JSON.parse(written.stdout)).toThrow();
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(printed.stdout));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("deprovision arguments and hostile answers", () => {
  it("names a missing folder first, before the token it also lacks", async () => {
    const missing = join(dir, "nonexistent");
    const result = await runCommand(register, ["deprovision", missing], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: there is no workspace folder ${missing}\n`);
  });

  it("says a file is not a folder", async () => {
    await writeYamlWorkspace();
    const file = join(dir, "people.yaml");
    const result = await runCommand(register, ["deprovision", file], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${file} is a file, not a workspace folder`);
  });

  it("reports broken workspace files before a missing token", async () => {
    await writeYamlWorkspace();
    await writeFile(join(dir, "people.yaml"), PEOPLE_YAML.replace("workspaceRole: admin", "workspaceRole: wizard"));
    const result = await runCommand(register, ["deprovision", dir], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("users[2].workspaceRole: must be one of");
    expect(result.stderr).not.toContain("OKTA_API_TOKEN");
  });

  it("fails at once on an Okta host DNS does not know, naming it and suggesting --okta-url", async () => {
    await writeYamlWorkspace();
    // What Node's fetch throws for a name DNS does not know (the test reaches no resolver).
    const asked: string[] = [];
    const unknownHost: typeof fetch = async (input) => {
      const url = new URL(String(input));
      asked.push(url.href);
      const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND", syscall: "getaddrinfo", hostname: url.hostname });
      throw new TypeError("fetch failed", { cause });
    };
    const result = await runCommand(register, ["deprovision", dir], { OKTA_API_TOKEN: oktaToken, CI: "true" }, 0.0001, unknownHost);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Okta GET \/api\/v1\/users\/\S+: the host acme\.okta\.com does not exist \(DNS: ENOTFOUND\); not retried; /);
    expect(result.stderr).toContain('the host is built from workspace.okta (orgName "acme", baseUrl "okta.com") in workspace.yaml');
    expect(result.stderr).toContain("pass --okta-url or set CERBY_OKTA_OKTA_URL (e.g. --okta-url http://127.0.0.1:8787)");
    expect(result.stderr).not.toContain("waiting");
    // One request per user at most, none repeated.
    expect(asked.length).toBeLessThanOrEqual(3);
    expect(new Set(asked).size).toBe(asked.length);
    expect(result.stderr).not.toContain(oktaToken);
  });

  it("gives up on Okta answering 429 forever with a reset already past, waiting at least 1s each time", async () => {
    await writeYamlWorkspace();
    okta.rateLimited = 1e9;
    okta.rateLimitSeconds = -3600;
    const started = Date.now();
    const result = await deprovision(["--concurrency", "1"]);
    // 11 tries of 3 users, 1 s apart, would take 33 s unscaled; on the scaled clock far less, with room for a busy machine.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("rate limited; waiting 1s before retrying");
    expect(result.stderr).toMatch(/error: Okta GET \/api\/v1\/users\/\S+: HTTP 429 \(rate limited\) 11 times for this request; giving up/);
    // At most 11 tries for each of the 3 users, who take turns.
    expect(okta.requests.length).toBeLessThanOrEqual(3 * 11);
  });

  it("never prints the token an Okta 5xx body echoes", async () => {
    await writeYamlWorkspace();
    okta.failing = 1;
    okta.failingEchoesToken = true;
    const result = await deprovision(["--concurrency", "1"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("HTTP 500: Internal Server Error for Authorization: SSWS ***; waiting 1s before retrying");
  });
});
