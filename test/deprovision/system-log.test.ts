// R7 incrementally: after a first full scan, `deprovision --apply` reads
// Okta's System Log since its last applied run (one request per page) instead
// of one GET per user, against the Okta emulator's System Log.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../harness/okta-emulator/index.ts";
import { register } from "../../src/cli/commands/deprovision.ts";
import { OktaClient } from "../../src/okta-api/client.ts";
import { runCommand, randomSecret } from "../fakes/cli.ts";

let dir: string;
let stateDir: string;
let okta: OktaEmulator;
let token: string;

const USERS = ["alice", "bob", "carol", "dave", "erin", "frank"];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deprovision-log-"));
  stateDir = await mkdtemp(join(tmpdir(), "deprovision-log-state-"));
  token = randomSecret("00T");
  okta = await startOktaEmulator({ token, users: USERS.map((name) => ({ login: `${name}@acme.example` })) });
  await writeFile(
    join(dir, "workspace.yaml"),
    `version: 1
workspace: { id: ws-acme, name: Acme, extendedAccountAccess: true, okta: { orgName: acme, baseUrl: okta.com } }
users:
${USERS.map((name) => `  - { id: u-${name}, email: ${name}@acme.example, workspaceRole: ${name === "alice" ? "owner" : "user"} }`).join("\n")}
accounts:
  - id: a-1
    name: Contentzilla
    app: Instagram
    grants: [{ user: u-alice, role: owner }, { user: u-bob, role: collaborator }, { user: u-carol, role: collaborator }]
    okta: { extendedBy: u-alice, extendedAt: 2026-02-01T09:00:00Z }
`,
  );
});

afterEach(async () => {
  await okta.close();
  await rm(dir, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

const deprovision = (extra: string[] = []) =>
  runCommand(register, ["deprovision", dir, "--okta-url", okta.url, "--state-dir", stateDir, ...extra], { OKTA_API_TOKEN: token, CI: "true" });
const userGets = () => okta.requestCount({ method: "GET", route: "/api/v1/users/{id}" });
const logGets = () => okta.requestCount({ method: "GET", route: "/api/v1/logs" });

describe("deprovision through Okta's System Log", () => {
  it("reads every user on the first run, then only the log: one request per poll, whatever the number of users", async () => {
    const first = await deprovision(["--apply"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Read every user from Okta, one request each: no System Log cursor yet (the first run).");
    expect(userGets()).toBe(6);
    expect(logGets()).toBe(0);

    okta.setUserStatus("bob@acme.example", "SUSPENDED");
    okta.setUserStatus("dave@acme.example", "DEPROVISIONED");
    okta.resetRequestLog();
    const dry = await deprovision();
    expect(dry.code).toBe(0);
    expect(userGets()).toBe(0);
    expect(logGets()).toBe(1);
    expect(dry.stdout).toMatch(/^6 users of workspace ws-acme \(.*\) checked in Okta: 2 to remove from the Cerby workspace\.\nRead from Okta's System Log since \S+ \(1 request\); --full reads every user\.\n/);
    expect(dry.stdout).toContain(`Would remove u-bob (bob@acme.example), SUSPENDED in Okta, from workspace.yaml\n  loses 1 chiclet: "Contentzilla - Instagram"`);
    expect(dry.stdout).toContain("Would remove u-dave (dave@acme.example), DEPROVISIONED in Okta, from workspace.yaml");

    // The dry run did not move the cursor: --apply sees the same events, then moves it.
    okta.resetRequestLog();
    const applied = await deprovision(["--apply"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Removed u-bob");
    expect(await readFile(join(dir, "workspace.yaml"), "utf8")).not.toContain("u-dave");
    expect(userGets()).toBe(0);
    expect(logGets()).toBe(1);

    okta.resetRequestLog();
    const quiet = await deprovision(["--apply"]);
    expect(quiet.stdout).toContain("4 users of workspace ws-acme");
    expect(quiet.stdout).toContain("0 to remove");
    expect(userGets()).toBe(0);
    expect(logGets()).toBe(1);
  });

  it("follows a reversal: a user unsuspended since the cursor is not removed", async () => {
    await deprovision(["--apply"]);
    okta.setUserStatus("carol@acme.example", "SUSPENDED");
    okta.setUserStatus("carol@acme.example", "ACTIVE");
    const result = await deprovision();
    expect(result.stdout).toContain("0 to remove");
  });

  it("reads new users one by one, and every user with --full", async () => {
    await deprovision(["--apply"]);
    okta.seedUser({ login: "gina@acme.example", status: "SUSPENDED" });
    const text = await readFile(join(dir, "workspace.yaml"), "utf8");
    await writeFile(join(dir, "workspace.yaml"), text.replace("accounts:", "  - { id: u-gina, email: gina@acme.example, workspaceRole: user }\naccounts:"));
    okta.resetRequestLog();
    const result = await deprovision();
    expect(result.stdout).toContain("(1 request), and 1 user one by one (new since then, or not found in Okta then)");
    expect(result.stdout).toContain("Would remove u-gina");
    expect(userGets()).toBe(1);

    okta.resetRequestLog();
    const full = await deprovision(["--full"]);
    expect(full.stdout).toContain("Read every user from Okta, one request each: --full.");
    expect(userGets()).toBe(7);
    expect(logGets()).toBe(0);
  });

  it("reads a user Okta does not know on every run, and keeps reporting them", async () => {
    const text = await readFile(join(dir, "workspace.yaml"), "utf8");
    await writeFile(join(dir, "workspace.yaml"), text.replace("accounts:", "  - { id: u-typo, email: erni@acme.example, workspaceRole: user }\naccounts:"));
    expect((await deprovision(["--apply"])).stdout).toContain("Not found in Okta, left alone: u-typo (erni@acme.example)");
    okta.resetRequestLog();
    const next = await deprovision();
    expect(next.stdout).toContain("(1 request), and 1 user one by one (new since then, or not found in Okta then)");
    expect(next.stdout).toContain("Not found in Okta, left alone: u-typo (erni@acme.example)");
    expect(userGets()).toBe(1);
  });

  it("falls back to the full scan when the cursor is for another Okta or too old", async () => {
    await deprovision(["--apply"]);
    const file = join(stateDir, "deprovision", "ws-acme.cursor.json");
    const cursor = JSON.parse(await readFile(file, "utf8"));
    await writeFile(file, JSON.stringify({ ...cursor, savedAt: "2020-01-01T00:00:00.000Z" }));
    expect((await deprovision()).stdout).toContain("the System Log cursor is from 2020-01-01T00:00:00.000Z, more than 80 days ago (Okta keeps 90)");
    await writeFile(file, JSON.stringify({ ...cursor, okta: "https://other.okta.com" }));
    expect((await deprovision()).stdout).toContain(`the System Log cursor is for https://other.okta.com, not ${new URL(okta.url).origin}`);
    // A cursor Okta answers 400 for does not fail every run: the run reads every user, and its --apply starts a new cursor.
    await writeFile(file, JSON.stringify({ ...cursor, next: `${new URL(okta.url).origin}/api/v1/logs?since=yesterday&sortOrder=ASCENDING` }));
    okta.resetRequestLog();
    const refused = await deprovision(["--apply"]);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain("Read every user from Okta, one request each: Okta refused the System Log cursor (HTTP 400: Api validation failed: since).");
    expect(userGets()).toBe(6);
    okta.resetRequestLog();
    expect((await deprovision()).stdout).toContain("Read from Okta's System Log since");
    expect(userGets()).toBe(0);
  });

  it("pages through a poll of more events than one page holds, one request per page", async () => {
    const client = new OktaClient({ baseUrl: okta.url, token });
    const start = client.lifecyclePollStart(new Date(Date.now() - 60_000)).replace("limit=1000", "limit=2");
    for (const name of ["bob", "carol", "dave"]) okta.setUserStatus(`${name}@acme.example`, "SUSPENDED");
    okta.setUserStatus("bob@acme.example", "ACTIVE");
    const poll = await client.pollSystemLog(start);
    if ("refused" in poll) throw new Error(`refused: ${poll.refused}`);
    expect(poll.pages).toBe(3);
    expect(poll.events.map((event) => event.eventType)).toEqual(["user.lifecycle.suspend", "user.lifecycle.suspend", "user.lifecycle.suspend", "user.lifecycle.unsuspend"]);
    expect(logGets()).toBe(3);
    // The cursor polls on from where the log ended: nothing new, one request.
    const again = await client.pollSystemLog(poll.next);
    expect(again).toMatchObject({ events: [], pages: 1 });
  });

  it("refuses a filter it does not understand with a 400, as Okta does", async () => {
    const response = await fetch(`${okta.url}/api/v1/logs?filter=${encodeURIComponent('eventType sw "user."')}`, { headers: { Authorization: `SSWS ${token}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorCode: "E0000031" });
  });
});
