/**
 * What a team following the README does in the sandbox, end to end: `init` a
 * project, start `npm run sandbox -- --cerby` (its Cerby API emulator seeded
 * from a Cerby-side workspace), run the `snapshot` line it prints, sync to the
 * Okta emulator with `plan` and `apply` (real terraform, stand-in provider),
 * deactivate a person in Okta and `deprovision --apply`, snapshot again,
 * sync, then switch the workspace off and `remove-workspace --apply`.
 * Asserted: what a person reads, and what Okta holds.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { CERBY_SIDE_YAML } from "../support/cerby-side.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "bin", "cerby-okta.js");

interface Printed {
  env: Record<string, string>;
  sandboxDir: string;
  okta: string;
  cerbyBaseUrl: string;
  cerbyKey: string;
  snapshotLine: string[];
  deprovisionLine: string[];
}

/** The shell lines the sandbox printed: its exports, and the Cerby lines for ws-social. */
function readPrinted(stdout: string): Printed {
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export ([A-Z_]+)=(\S+)$/gm)) env[match[1]!] = match[2]!.replace(/^'|'$/g, "");
  const cerby = /^ {2}Cerby API: +(\S+) +\(ws-social; CERBY_API_KEY=(\S+), created by u-olga, sees 3 of 3 accounts\)$/m.exec(stdout);
  if (!cerby) throw new Error(`no Cerby API line for ws-social in:\n${stdout}`);
  const line = (command: string) => {
    const found = stdout.split("\n").find((text) => text.startsWith(`node ${CLI} ${command} `));
    if (!found) throw new Error(`no ${command} line in:\n${stdout}`);
    // Paths in a temporary folder need no quoting; the comment goes.
    return found.replace(/\s+#.*$/, "").split(/\s+/).slice(2);
  };
  return {
    env,
    sandboxDir: /^cd (\S+)/m.exec(stdout)![1]!,
    okta: env.OKTA_EMULATOR_URL!,
    cerbyBaseUrl: cerby[1]!,
    cerbyKey: cerby[2]!,
    snapshotLine: line("snapshot"),
    deprovisionLine: line("deprovision"),
  };
}

describe.skipIf(shouldSkipTerraformTests())("a team's first loop in the sandbox: init, snapshot from Cerby, sync, deprovision, remove-workspace", () => {
  let dir: string;
  let project: string;
  let sandbox: ResultPromise | undefined;
  let sandboxOut = "";
  let printed: Printed;
  const token = randomBytes(12).toString("hex");

  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    execa(process.execPath, [CLI, ...args], {
      cwd: printed.sandboxDir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, CI: "true", ...printed.env, ...extraEnv },
      extendEnv: false,
      reject: false,
      timeout: 240_000,
    });
  const withKey = { CERBY_API_KEY: "" };
  const okta = async (method: string, route: string): Promise<unknown> => {
    const response = await fetch(`${printed.okta}${route}`, { method, headers: { Authorization: `SSWS ${token}`, Accept: "application/json" } });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  };
  /** Active app labels, and for each label the Okta user IDs in its access group. */
  const oktaHolds = async () => {
    const apps = (await okta("GET", "/api/v1/apps?limit=200")) as { id: string; label: string; status: string }[];
    const groups = (await okta("GET", "/api/v1/groups?q=cerby-okta&limit=200")) as { id: string; profile: { name: string } }[];
    const members: Record<string, string[]> = {};
    for (const group of groups) {
      const users = (await okta("GET", `/api/v1/groups/${group.id}/users?limit=200`)) as { id: string }[];
      members[group.profile.name] = users.map((user) => user.id).sort();
    }
    return { labels: apps.filter((app) => app.status === "ACTIVE").map((app) => app.label).sort(), members };
  };

  beforeAll(async () => {
    requireTerraform();
    dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-cerby-loop-"));
    project = path.join(dir, "acme-okta");
    const init = await execa(process.execPath, [CLI, "init", project], { cwd: dir, reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    // What Cerby holds, seeded into the emulator; the project knows nothing of it yet.
    mkdirSync(path.join(dir, "cerby-side", "social"), { recursive: true });
    writeFileSync(path.join(dir, "cerby-side", "social", "workspace.yaml"), CERBY_SIDE_YAML);

    sandbox = execa(
      process.execPath,
      [path.join(ROOT, "dist", "sandbox", "main.js"), "--cerby", "--cerby-workspaces", "../cerby-side", "--port", "0", "--cerby-port", "0", "--token", token],
      { cwd: project, reject: false, env: { CI: "true" } },
    );
    sandbox.stdout!.on("data", (chunk: Buffer) => void (sandboxOut += chunk.toString()));
    let sandboxErr = "";
    sandbox.stderr!.on("data", (chunk: Buffer) => void (sandboxErr += chunk.toString()));
    // It prints its lines once it has synced the project (whose only workspace, the example, is switched off).
    const deadline = Date.now() + 200_000;
    while (!sandboxOut.includes("add --apply to remove people deactivated in Okta\n")) {
      if (sandbox.exitCode !== null || Date.now() > deadline) throw new Error(`the sandbox did not start:\n${sandboxErr.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    printed = readPrinted(sandboxOut);
    withKey.CERBY_API_KEY = printed.cerbyKey;
  }, 240_000);

  afterAll(async () => {
    if (sandbox?.pid !== undefined && sandbox.exitCode === null) {
      sandbox.kill("SIGTERM");
      await sandbox;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the Cerby API's URL and a key, links the Cerby data from the page, and never puts the key there", async () => {
    // The sandbox serves the stand-in provider from a host of its own, which the printed lines name (the later syncs use it).
    expect(printed.env.OKTA_STANDIN_HOSTS).toMatch(/^\d+$/);
    expect(printed.cerbyBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ws-social\/api\/v1\/$/);
    const page = await (await fetch(`${printed.okta}/`)).text();
    expect(page).toContain(`<a href="/cerby.json">The Cerby emulator's data</a>`);
    const data = (await (await fetch(`${printed.okta}/cerby.json`)).json()) as { workspace: string; keyCreator: string; keySees: string[] }[];
    expect(data.map(({ workspace, keyCreator, keySees }) => ({ workspace, keyCreator, keySees }))).toEqual([
      { workspace: "ws-social", keyCreator: "u-olga", keySees: ["a-insta", "a-promo", "a-figma"] },
    ]);
    expect(page + JSON.stringify(data)).not.toContain(printed.cerbyKey);
    expect(page).toContain("export CERBY_API_KEY=&lt;the ws-social key printed in the terminal&gt;");
  });

  it("snapshots the workspace with the printed line, syncs it, deprovisions a person deactivated in Okta, and takes the workspace out", async () => {
    // 1. The printed lines, as pasted: make the workspace's folder, snapshot into it.
    mkdirSync(/^mkdir -p (\S+)$/m.exec(sandboxOut)![1]!, { recursive: true });
    const snapshot = await cli(printed.snapshotLine, withKey);
    expect(snapshot.exitCode, snapshot.stderr).toBe(0);
    expect(snapshot.stderr).toContain("snapshot: coverage: 3 accounts (the workspace has 3), 3 users (the workspace has 3), 1 teams (the workspace has 1)\n");
    expect(snapshot.stderr).toMatch(/snapshot: wrote \S+workspaces\/social\/snapshot\.json: 3 users, 1 teams, 3 accounts/);

    // 2. Sync.
    const plan = await cli(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect((await cli(["apply"])).exitCode).toBe(0);
    const synced = await oktaHolds();
    expect(synced.labels).toEqual(["Contentzilla - Instagram", "Design - Figma", 'Promo ${file("/etc/hostname")} - X']);
    expect(synced.members).toEqual({
      "cerby-okta/ws-social/a-figma": ["00uolga", "00upat"],
      "cerby-okta/ws-social/a-insta": ["00uolga", "00uquinn"],
      "cerby-okta/ws-social/a-promo": ["00uolga", "00uquinn"],
    });

    // 3. Quinn leaves: deactivated in Okta, then deprovision, dry run and --apply (the printed line).
    await okta("POST", "/api/v1/users/00uquinn/lifecycle/deactivate");
    const dryRun = await cli(printed.deprovisionLine, withKey);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain("3 users of workspace ws-social");
    expect(dryRun.stdout).toMatch(/Would remove u-quinn \(quinn@acme\.example\), DEPROVISIONED in Okta, through the Cerby API \(kept in \S*snapshot\.json\)\n/);
    expect(dryRun.stdout).toContain('  loses 2 chiclets: "Contentzilla - Instagram", "Promo ${file(\\"/etc/hostname\\")} - X"\n');
    expect(dryRun.stdout).toContain("Dry run: nothing changed. Run again with --apply to remove them.");
    const applied = await cli([...printed.deprovisionLine, "--apply"], withKey);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Removed u-quinn \(quinn@acme\.example\), DEPROVISIONED in Okta, through the Cerby API/);
    for (const output of [dryRun.stdout, dryRun.stderr, applied.stdout, applied.stderr]) expect(output).not.toContain(printed.cerbyKey);
    const users = (await (await fetch(new URL("users", printed.cerbyBaseUrl), { headers: { "X-API-Key": printed.cerbyKey } })).json()) as { data: { id: string }[] };
    expect(users.data.map((user) => user.id)).toEqual(["u-olga", "u-pat"]);

    // The next snapshot drops quinn; a person already recorded as deprovisioned is no access lost.
    const again = await cli(printed.snapshotLine, withKey);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      "snapshot: coverage: 3 accounts (the workspace has 3; previous snapshot 3), 2 users (the workspace has 2; previous snapshot 3, 1 missing), 1 teams (the workspace has 1; previous snapshot 1)\n",
    );
    const replan = await cli(["plan"]);
    expect(replan.exitCode, replan.stderr).toBe(2);
    // Quinn has left the workspace, so the plan knows them by Cerby ID only.
    expect(replan.stdout).toMatch(/u-quinn\)? no longer sees "Contentzilla - Instagram"/);
    expect(replan.stdout).toMatch(/u-quinn\)? no longer sees "Promo \$\{file\(\\"\/etc\/hostname\\"\)\} - X"/);
    expect((await cli(["apply"])).exitCode).toBe(0);
    expect((await oktaHolds()).members).toEqual({
      "cerby-okta/ws-social/a-figma": ["00uolga", "00upat"],
      "cerby-okta/ws-social/a-insta": ["00uolga"],
      "cerby-okta/ws-social/a-promo": ["00uolga"],
    });

    // 4. Take the workspace out: switch it off (in the snapshot's settings), plan the removal, apply it.
    const off = await cli([...printed.snapshotLine.filter((arg) => arg !== "--extended-account-access"), "--no-extended-account-access"], withKey);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(project, "workspaces", "social", "snapshot.json"), "utf8")).workspace.extendedAccountAccess).toBe(false);
    const removal = await cli(["remove-workspace", "ws-social"]);
    expect(removal.exitCode, removal.stderr).toBe(2);
    expect(removal.stdout).toContain('- a-promo: remove chiclet "Promo ${file(\\"/etc/hostname\\")} - X"');
    expect(removal.stdout).toMatch(/u-pat\)? no longer sees "Design - Figma"/);
    expect(removal.stdout).toContain("nothing was changed: to remove these from Okta, run `cerby-okta remove-workspace ws-social --apply`");
    expect((await oktaHolds()).labels).toHaveLength(3);
    const removed = await cli(["remove-workspace", "ws-social", "--apply", "--yes"]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await oktaHolds()).toEqual({ labels: [], members: {} });
  }, 900_000);
});
