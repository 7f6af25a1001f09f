/**
 * `npm run sandbox -- --once`: the Okta emulator seeded from the example
 * workspaces, the real CLI `plan` + `apply` with the real terraform binary and
 * the stand-in okta/okta provider. Every person's dashboard in the emulator
 * must be exactly what `cerby-okta preview --json` promises.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml, renderPage, renderText, safeHttpUrl, type PersonDashboard } from "../../sandbox/page.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { HIDDEN_OKTA_STATUSES } from "../../src/domain/model.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKSPACES = path.join(ROOT, "workspaces");

interface PreviewJson {
  workspaces: { id: string; synced: boolean; chiclets: { accountId: string; label: string; users: string[]; groups: string[] }[] }[];
}

interface SandboxJson {
  url: string;
  people: PersonDashboard[];
  requestsByBucket: Record<string, number>;
  lastSync: { requests: { method: string; route: string; status: number; bucket: string }[]; rejected: number };
}

/** login -> sorted labels, from `preview --json`: users see chiclets directly, IdP groups through their members. */
async function expectedDashboards(): Promise<Map<string, string[]>> {
  const preview = JSON.parse((await execa(process.execPath, ["bin/cerby-okta.js", "preview", "--json", "--workspaces", WORKSPACES], { cwd: ROOT })).stdout) as PreviewJson;
  const workspaces = await loadWorkspaces(WORKSPACES);
  const expected = new Map<string, string[]>();
  for (const workspace of workspaces) for (const user of workspace.users) expected.set(user.email.toLowerCase(), []);
  for (const previewed of preview.workspaces) {
    if (!previewed.synced) continue;
    const workspace = workspaces.find((candidate) => candidate.settings.id === previewed.id)!;
    const userById = new Map(workspace.users.map((user) => [user.id, user]));
    // An IdP team is its Okta group; the sandbox seeds it with the team's last-known members.
    const groupMembers = (groupId: string) =>
      workspace.teams.filter((team) => team.oktaGroupId === groupId).flatMap((team) => (team.members ?? []).map((member) => userById.get(member)!));
    for (const chiclet of previewed.chiclets) {
      const viewers = new Set<string>();
      for (const userId of chiclet.users) viewers.add(userById.get(userId)!.email.toLowerCase());
      for (const groupId of chiclet.groups) {
        for (const member of groupMembers(groupId)) {
          // Okta shows a suspended or deactivated user no dashboard at all.
          if (!HIDDEN_OKTA_STATUSES.has(member.oktaStatus ?? "ACTIVE")) viewers.add(member.email.toLowerCase());
        }
      }
      for (const login of viewers) expected.get(login)!.push(chiclet.label);
    }
  }
  for (const labels of expected.values()) labels.sort();
  return expected;
}

describe.skipIf(shouldSkipTerraformTests()).each([[[] as string[]], [["--oauth"]]])("npm run sandbox -- --once %j", (flags) => {
  let dir: string;
  let result: { exitCode?: number; stdout: string; stderr: string };
  let durationMs: number;

  beforeAll(async () => {
    requireTerraform();
    dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-sandbox-test-"));
    const started = Date.now();
    // Its own port and folder: a sandbox the developer is running is left alone.
    result = await execa(
      process.execPath,
      ["dist/sandbox/main.js", "--once", ...flags, "--port", "0", "--dir", path.join(dir, "work"), "--json", path.join(dir, "dashboards.json")],
      { cwd: ROOT, reject: false, timeout: 240_000, stripFinalNewline: false },
    );
    durationMs = Date.now() - started;
  }, 250_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("syncs the example, and every dashboard is what preview --json says", async () => {
    if (result.exitCode !== 0) throw new Error(`sandbox --once exited ${result.exitCode}\n${result.stderr.slice(-6000)}`);
    const sandbox = JSON.parse(readFileSync(path.join(dir, "dashboards.json"), "utf8")) as SandboxJson;
    const actual = new Map(sandbox.people.map((person) => [person.login.toLowerCase(), person.chiclets.map((chiclet) => chiclet.label).sort()]));
    const expected = await expectedDashboards();

    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    // Not vacuous: the example has people with chiclets and people without.
    expect([...expected.values()].filter((labels) => labels.length > 0).length).toBeGreaterThan(2);
    expect([...expected.values()].some((labels) => labels.length === 0)).toBe(true);
    // The text on stdout is the same dashboards.
    expect(result.stdout).toBe(renderText(sandbox.people));
    // Terraform went through the emulator's API (the 100/min apps bucket: bookmark creation and group assignments).
    expect(sandbox.requestsByBucket["/api/v1/apps"]).toBeGreaterThan(0);
    // Every request of the sync is listed, and none was refused: a real org would have accepted them all.
    expect(sandbox.lastSync.requests.some((request) => request.method === "POST" && request.route === "/api/v1/apps" && request.bucket === "/api/v1/apps")).toBe(true);
    expect(sandbox.lastSync.requests.filter((request) => request.status >= 400)).toEqual([]);
    expect(sandbox.lastSync.rejected).toBe(0);
    // Under --oauth every request went with an access token (asked for at the token endpoint), none with the API token's /users/me check.
    const tokenRequests = sandbox.lastSync.requests.filter((request) => request.route === "/oauth2/v1/token").length;
    const meChecks = sandbox.lastSync.requests.filter((request) => request.route === "/api/v1/users/me").length;
    if (flags.includes("--oauth")) {
      expect(tokenRequests).toBeGreaterThan(0);
      expect(meChecks).toBe(0);
    } else {
      expect(tokenRequests).toBe(0);
      expect(meChecks).toBeGreaterThan(0);
    }
    process.stderr.write(`sandbox --once took ${(durationMs / 1000).toFixed(1)} s\n`);
  });
});

describe.skipIf(shouldSkipTerraformTests())("npm run sandbox -- --once in a project whose cerby-okta.yaml names a backend", () => {
  let dir: string;
  let project: string;
  let elsewhere: string;
  const runs: { exitCode?: number; stdout: string; stderr: string }[] = [];

  beforeAll(async () => {
    requireTerraform();
    dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-sandbox-backend-"));
    project = path.join(dir, "project");
    elsewhere = path.join(dir, "production-state");
    cpSync(WORKSPACES, path.join(project, "workspaces"), { recursive: true });
    writeFileSync(path.join(project, "cerby-okta.yaml"), `backend: { type: local, path: "${elsewhere}/{workspaceId}.tfstate" }\nshards: { ws-acme: 2 }\n`);
    // Twice, as a person trying it twice would: each on a fresh emulator.
    for (const run of [1, 2]) {
      runs.push(
        await execa(process.execPath, [path.join(ROOT, "dist", "sandbox", "main.js"), "--once", "--port", "0", "--json", path.join(dir, `dashboards-${run}.json`)], {
          cwd: project,
          reject: false,
          timeout: 240_000,
        }),
      );
    }
  }, 500_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the project's backend and folder untouched, keeps its own state in .sandbox/, and syncs from scratch each time, sharded", async () => {
    for (const run of runs) if (run.exitCode !== 0) throw new Error(`sandbox --once exited ${run.exitCode}\n${run.stderr.slice(-6000)}`);
    expect(existsSync(elsewhere)).toBe(false);
    expect(readdirSync(project).sort()).toEqual([".sandbox", "cerby-okta.yaml", "workspaces"]);
    expect(readdirSync(path.join(project, ".sandbox")).filter((name) => name.endsWith(".tfstate")).sort()).toEqual([
      "terraform.ws-acme-eu.tfstate",
      "terraform.ws-acme-s000.tfstate",
      "terraform.ws-acme-s001.tfstate",
    ]);
    // It says where its state is, and that the project's backend is not used.
    expect(runs[1]!.stderr).toContain(`working folder ${path.join(project, ".sandbox")}: the sandbox's own local Terraform state`);
    expect(runs[1]!.stderr).toContain(`(its local backend in ${path.join(project, "cerby-okta.yaml")} is not used)`);
    expect(runs[1]!.stderr).toContain("shards as in the project: ws-acme in 2");
    const expected = Object.fromEntries(await expectedDashboards());
    for (const run of [1, 2]) {
      const sandbox = JSON.parse(readFileSync(path.join(dir, `dashboards-${run}.json`), "utf8")) as SandboxJson;
      expect(Object.fromEntries(sandbox.people.map((person) => [person.login.toLowerCase(), person.chiclets.map((chiclet) => chiclet.label).sort()]))).toEqual(expected);
      // The second run found no old state: it created every app again, in its fresh emulator.
      expect(sandbox.lastSync.requests.filter((request) => request.method === "POST" && request.route === "/api/v1/apps").length).toBeGreaterThan(2);
    }
  });
});

describe("sandbox page", () => {
  const hostile = `<script>alert(1)</script> "onmouseover='x'" & \${file("/etc/passwd")}`;
  const person: PersonDashboard = {
    login: `<b>eve</b>@example.com`,
    oktaUserId: "00u<x>",
    status: `ACTIVE"><img src=x>`,
    cerbyUsers: ["ws/<u>"],
    chiclets: [
      { label: hostile, url: "javascript:alert(1)", appId: `0oa"<` },
      { label: "Fine - App", url: `https://example.com/a?b=<c>&d="e"`, appId: "0oa1" },
    ],
  };

  it("escapes every string and links only http(s) URLs", () => {
    const html = renderPage({
      people: [person],
      lastSyncRequests: [{ method: "PUT", route: "/api/v1/<x>", status: 404, bucket: "<b>" }],
      requestsByBucket: { apps: 3, "<bucket>": 1 },
      requestsByRoute: { "GET /api/v1/<x>": 1 },
      shellSetup: "export A='<b>'",
      emulatorUrl: "http://127.0.0.1:1/<u>",
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain(`href="javascript:`);
    expect(html).not.toMatch(/<[a-z]+[^>]*\son\w+=/i);
    expect(html).toContain(escapeHtml(hostile));
    expect(html).toContain(`href="https://example.com/a?b=%3Cc%3E&amp;d=%22e%22"`);
    expect(safeHttpUrl("data:text/html,x")).toBeUndefined();
  });

  it("lists each request of the last sync and flags the ones a real org would have refused", () => {
    const html = renderPage({
      people: [],
      lastSyncRequests: [
        { method: "GET", route: "/api/v1/users/me", status: 200, bucket: "/api/v1/users/me" },
        { method: "DELETE", route: "/api/v1/apps/{id}/groups/{gid}", status: 404, bucket: "/api/v1/apps" },
      ],
      requestsByBucket: {},
      requestsByRoute: {},
      shellSetup: "",
      emulatorUrl: "http://127.0.0.1:1",
    });
    expect(html).toContain("1 request of the last sync answered 4xx");
    expect(html).toContain(`<tr class="rejected"><td>DELETE</td><td><code>/api/v1/apps/{id}/groups/{gid}</code></td><td class="n">404</td>`);
  });

  it("links the Cerby emulator's data and escapes what it shows of it", () => {
    const html = renderPage({
      people: [],
      lastSyncRequests: [],
      requestsByBucket: {},
      requestsByRoute: {},
      shellSetup: "",
      emulatorUrl: "http://127.0.0.1:1",
      cerby: [{ workspace: "ws-<x>", baseUrl: "http://127.0.0.1:2/ws-<x>/api/v1/", creator: `u-"o"`, sees: 1, accounts: 3 }],
    });
    expect(html).toContain(`<a href="/cerby.json">The Cerby emulator's data</a>`);
    expect(html).toContain("<td><code>ws-&lt;x&gt;</code></td><td><code>http://127.0.0.1:2/ws-&lt;x&gt;/api/v1/</code></td><td><code>u-&quot;o&quot;</code></td><td class=\"n\">1 of 3</td>");
  });

  it("prints control characters visibly in text", () => {
    const text = renderText([{ ...person, chiclets: [{ label: "a\nb\u001b[2J\u202e", url: "", appId: "0oa1" }] }]);
    expect(text).toContain("[a\\u{a}b\\u{1b}[2J\\u{202e}]");
    expect(text.split("\n").length).toBe(3);
  });
});
