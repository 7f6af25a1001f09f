import { execa } from "execa";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import nodeModule from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "bin", "cerby-okta.js");

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  return execa("node", [bin, ...args], { cwd, reject: false, env: { CI: "true", ...env } });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "cerby-okta-cli-"));
  await cp(path.join(repo, "workspaces"), path.join(work, "workspaces"), { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("cerby-okta shards", () => {
  it("lists one stack per synced workspace, every one needing a plan before any apply", async () => {
    const result = await run(["shards", "--json", "--out", "shards-out", "--state-dir", "shards-state"], work);
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout) as { stacks: { stack: string; workspace: string; shards: number; accounts: number; changed: boolean }[] };
    expect(listed.stacks.length).toBeGreaterThan(0);
    for (const stack of listed.stacks) expect(stack).toMatchObject({ stack: stack.workspace, shards: 1, changed: true });
    const preview = JSON.parse((await run(["preview", "--json"], work)).stdout) as { workspaces: { id: string; synced: boolean; chiclets: unknown[] }[] };
    expect(listed.stacks.map((stack) => [stack.stack, stack.accounts])).toEqual(
      preview.workspaces.filter((workspace) => workspace.synced).map((workspace) => [workspace.id, workspace.chiclets.length]),
    );
  });
});

describe("cerby-okta validate", () => {
  it("accepts the bundled example", async () => {
    const result = await run(["validate"], work);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("ok: 3 workspaces");
    expect(result.stdout).toBe("");
  });

  it("warns of every rejected extension with its reason (R2), and still exits 0", async () => {
    const result = await run(["validate"], work);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("warning: ws-acme: account a-brand-x rejected: extended by u-bob, who does not hold the owner role on this account");
    expect(result.stderr).toContain("warning: ws-acme: account a-newsletter rejected: extended by u-dave, whose workspace role login_only may not extend accounts");
    expect(result.stderr).toMatch(/ok: 3 workspaces, 8 accounts \(2 extensions rejected: not synced, see the warnings\)$/);
  });

  it("exits 1 and names file, line and field of every problem", async () => {
    const bad = path.join(work, "bad");
    await cp(path.join(work, "workspaces"), bad, { recursive: true });
    const accounts = path.join(bad, "acme", "accounts.yaml");
    const text = await readFile(accounts, "utf8");
    await writeFile(accounts, text.replace("{ user: u-frank, role: manager }", "{ user: u-frank, role: boss }").replace("extendedBy: u-bob\n      extendedAt: 2026-04-02", "extendedBy: u-nobody\n      extendedAt: 2026-04-02"));
    const result = await run(["validate", "--workspaces", "bad"], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/bad\/acme\/accounts\.yaml:10:\d+ accounts\[0\]\.grants\[3\]\.role: must be one of "owner", "collaborator", "manager"/);
    expect(result.stdout).toBe("");
  });
});

describe("cerby-okta preview", () => {
  it("prints the contract document with --json, sorted and stable", async () => {
    const first = await run(["preview", "--json"], work);
    const second = await run(["preview", "--json"], work);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    const document = JSON.parse(first.stdout);
    expect(document.version).toBe(1);
    expect(document.workspaces.map((workspace: { id: string }) => workspace.id)).toEqual(["ws-acme", "ws-acme-eu", "ws-labs"]);
    const acme = document.workspaces[0];
    expect(acme.chiclets[0]).toEqual({
      accountId: "a-contentzilla",
      label: "Contentzilla - Instagram",
      url: "https://acme.cerby.com/accounts/a-contentzilla/login",
      users: ["u-alice", "u-carol"],
      groups: ["00g1social"],
    });
    expect(acme.rejected.map((rejection: { accountId: string }) => rejection.accountId)).toEqual(["a-brand-x", "a-newsletter"]);
    expect(document.workspaces[1].chiclets[0].label).toBe("Contentzilla - Instagram (3)");
    expect(document.workspaces[2]).toMatchObject({ id: "ws-labs", synced: false, chiclets: [] });
  });

  it("prints a readable table without --json", async () => {
    const result = await run(["preview"], work);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/a-contentzilla-backup\s+Contentzilla - Instagram \(2\)\s+u-bob, u-dave/);
    expect(result.stdout).toContain("NOT synced");
  });
});

describe("cerby-okta synth", () => {
  it("writes one stack per synced workspace and a summary with the API cost", async () => {
    const result = await run(["synth", "--out", "out"], work);
    expect(result.exitCode).toBe(0);
    expect(await readdir(path.join(work, "out", "stacks"))).toEqual(["ws-acme", "ws-acme-eu"]);
    // 3 apps in ws-acme: each first sync costs 5 calls in the 100/min bucket (more with IdP groups).
    expect(result.stdout).toMatch(/ws-acme: first sync about \d+ Okta API calls \(\d+ in \/api\/v1\/apps, /);
    expect(result.stdout).toMatch(/a full refresh \(reconcile\) about \d+/);
    expect(result.stdout).toContain("ws-labs: not synthesized");
  });

  it("writes nothing when the input is invalid", async () => {
    const bad = path.join(work, "broken");
    await cp(path.join(work, "workspaces"), bad, { recursive: true });
    await writeFile(path.join(bad, "acme", "extra.yaml"), "accounts: [ { id: a-9 \n");
    const result = await run(["synth", "--workspaces", "broken", "--out", "never"], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/broken\/acme\/extra\.yaml:\d+:\d+: YAML syntax/);
    expect(await readdir(work)).not.toContain("never");
  });
});

describe("cerby-okta --help", () => {
  it.each(["validate", "preview", "synth"])("describes %s and its options", async (command) => {
    const result = await run([command, "--help"], work);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Usage: cerby-okta ${command}`);
    expect(result.stdout).toContain("--workspaces <dir>");
  });

  it("fails with usage help on an unknown command", async () => {
    const result = await run(["frobnicate"], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("unknown command");
  });
});

describe("small things a user notices", () => {
  it("prints its version", async () => {
    const result = await run(["--version"], work);
    expect(result.exitCode).toBe(0);
    const { version } = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8"));
    expect(result.stdout.trim()).toBe(version);
  });

  it("says a --terraform-binary path does not exist, rather than that it is not on PATH", async () => {
    // An access token (used as given, not checked): no Okta request before Terraform is looked for.
    const result = await run(["plan", "--terraform-binary", "/no/such/terraform", "--out", "tf-missing"], work, { OKTA_ACCESS_TOKEN: "unused", OKTA_API_TOKEN: "" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("cannot run /no/such/terraform: no such file");
    expect(result.stderr).not.toContain("internal error");
  });

  it("says at the start of watch --apply, not at the first edit, that its Terraform binary cannot run", async () => {
    const result = await run(["watch", "--apply", "--no-adoption-check", "--terraform-binary", "/no/such/terraform", "--out", "watch-missing", "--state-dir", "watch-missing-state"], work, { OKTA_API_TOKEN: "" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("cannot run /no/such/terraform: no such file");
    expect(result.stdout).not.toContain("watching");
  });

  it("reports --state-dir pointing at a file as the user's error", async () => {
    await writeFile(path.join(work, "a-file"), "x");
    const result = await run(["plan", "--state-dir", "a-file", "--out", "tf-file"], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--state-dir a-file is a file, not a folder");
    expect(result.stderr).not.toContain("internal error");
  });

  it("shows each warning once in `npm start` (preview, then synth without repeating them)", async () => {
    const preview = await run(["preview"], work);
    const synth = await run(["synth", "--no-warnings", "--out", "start-out"], work);
    const warning = "whose workspace role login_only may not extend accounts";
    const count = (text: string) => text.split(warning).length - 1;
    expect(count(preview.stdout + preview.stderr) + count(synth.stdout + synth.stderr)).toBe(1);
  });
});

describe("the Node version", () => {
  it("is checked against package.json's engines before anything runs, naming the version needed", async () => {
    const copy = await mkdtemp(path.join(tmpdir(), "cerby-okta-engines-"));
    try {
      await cp(path.join(repo, "bin"), path.join(copy, "bin"), { recursive: true });
      const running = process.versions.node.split(".").map(Number);
      await writeFile(path.join(copy, "package.json"), JSON.stringify({ engines: { node: `>=${running[0]! + 1}.0` } }));
      const refused = await execa("node", [path.join(copy, "bin", "cerby-okta.js"), "--version"], { reject: false });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain(`cerby-okta needs Node ${running[0]! + 1}.0 or later`);
      expect(refused.stderr).toContain(`this is Node ${process.versions.node}`);
      // Supported lines: a version between them (an odd line, an older minor) is refused too, naming each line.
      await writeFile(path.join(copy, "package.json"), JSON.stringify({ engines: { node: `^${running[0]}.${running[1]! + 1}.0 || >=${running[0]! + 2}.0.0` } }));
      const between = await execa("node", [path.join(copy, "bin", "cerby-okta.js"), "--version"], { reject: false });
      expect(between.exitCode).toBe(1);
      expect(between.stderr).toContain(`cerby-okta needs Node ${running[0]}.${running[1]! + 1} or a later ${running[0]}.x, or ${running[0]! + 2}.0 or later`);
      // The version running now meets the real engines field.
      const accepted = await execa("node", [bin, "--version"], { reject: false });
      expect(accepted.exitCode).toBe(0);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("says in --help which Node and Terraform versions it runs on, and that Node 20 is out of support", async () => {
    const help = await execa(process.execPath, [bin, "--help"]);
    expect(help.stdout).toContain("Runs on Node 22 or 24 (LTS); Node 20.19+ still runs, but is out of support since 2026-04-30");
    expect(help.stdout).toContain("Runs Terraform or OpenTofu 1.7 or later, below 2.0 (the stacks' import blocks use for_each); tested with Terraform 1.11.");
    expect(help.stdout).toContain("--terraform-binary, $TERRAFORM_BINARY_NAME or terraformBinary in cerby-okta.yaml");
  });

  it("names the supported lines in engines: 20.19+ (out of support), 22 and 24", async () => {
    const engines = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")).engines.node;
    expect(engines).toBe("^20.19.0 || ^22.12.0 || >=24.0.0");
  });

  it("keeps Node's compile cache (22.1 and later) in the user's cache folder, one build's only, and only where no one else can write (this test runs on each line: npm run test:node-versions)", async () => {
    const cachesIn = (cacheHome: string) => path.join(cacheHome, "cerby-okta", "node-compile-cache");
    const filesIn = async (folder: string) => (existsSync(folder) ? (await readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length : undefined);
    const start = async (cacheHome: string, env: Record<string, string | undefined> = {}) => {
      const result = await execa(process.execPath, [bin, "--version"], { env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env }, extendEnv: false, reject: false });
      expect(result.exitCode, result.stderr).toBe(0);
      return filesIn(cachesIn(cacheHome));
    };
    const homes = await Promise.all([1, 2, 3, 4, 5].map(() => mkdtemp(path.join(tmpdir(), "cerby-okta-cache-"))));
    try {
      const [own, shared, disabled, rebuilt, linked] = homes as [string, string, string, string, string];
      await chmod(shared, 0o777);
      if (typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== "function") {
        // Node 20: nothing is made.
        expect(await start(own)).toBeUndefined();
        return;
      }
      expect(await start(own)).toBeGreaterThan(0);
      expect(await start(shared)).toBeUndefined();
      expect(await start(disabled, { NODE_DISABLE_COMPILE_CACHE: "1" })).toBe(0);
      // An earlier build's compiled code goes at the first start of this one.
      await mkdir(path.join(cachesIn(rebuilt), "build-1-1"), { recursive: true, mode: 0o700 });
      await writeFile(path.join(cachesIn(rebuilt), "build-1-1", "compiled"), "x");
      await writeFile(path.join(cachesIn(rebuilt), "notes.txt"), "not the CLI's");
      await start(rebuilt);
      const left = await readdir(cachesIn(rebuilt));
      const builds = left.filter((name) => name.startsWith("build-"));
      expect(builds).toHaveLength(1);
      expect(builds[0]).not.toBe("build-1-1");
      expect(await filesIn(path.join(cachesIn(rebuilt), builds[0]!))).toBeGreaterThan(0);
      expect(left).toContain("notes.txt");
      // A link in place of the cache's folder is not followed: what it points at is left as it was.
      const elsewhere = await mkdtemp(path.join(tmpdir(), "cerby-okta-elsewhere-"));
      homes.push(elsewhere);
      await mkdir(path.join(elsewhere, "node-compile-cache", "build-1-1"), { recursive: true });
      await symlink(elsewhere, path.join(linked, "cerby-okta"));
      await start(linked);
      expect(await readdir(path.join(elsewhere, "node-compile-cache"))).toEqual(["build-1-1"]);
    } finally {
      await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
    }
  });

  it("warns once at start on Node 20, past its end of life, and not on 22 or 24 (this test runs on each: npm run test:node-versions)", async () => {
    // The test set-up silences the warning for every other test (test/support/global-setup.ts).
    const env = { ...process.env, CERBY_OKTA_NODE_EOL_WARNING: undefined };
    const result = await execa(process.execPath, [bin, "--version"], { env, extendEnv: false, reject: false });
    expect(result.exitCode).toBe(0);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("end of life"));
    if (process.versions.node.startsWith("20.")) {
      expect(warnings).toEqual([
        `warning: Node 20 reached its end of life on 2026-04-30 (this is Node ${process.versions.node}, ${process.execPath}): cerby-okta still runs on it, but move to Node 22 or 24 (CERBY_OKTA_NODE_EOL_WARNING=0 silences this).`,
      ]);
      const silenced = await execa(process.execPath, [bin, "--version"], { env: { ...env, CERBY_OKTA_NODE_EOL_WARNING: "0" }, extendEnv: false });
      expect(silenced.stderr).toBe("");
    } else {
      expect(warnings).toEqual([]);
    }
  });
});
