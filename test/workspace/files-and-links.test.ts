// Files that cannot be read, symbolic links and things that are not files:
// each is a problem named with its file, reported with all the others in one
// run; links that stay inside the workspaces folder are followed; nothing is
// ever skipped in silence.
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdir, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { loadIssues, removeWrittenWorkspaces, workspaceSettings, writeWorkspaces } from "../support/temp-workspaces.ts";
import { expectNoCrashText, runCli } from "./run-cli.ts";

afterAll(removeWrittenWorkspaces);

const settings = (id: string) => workspaceSettings(id);
const ACCOUNTS = "accounts:\n  - { id: a-1, name: One, app: X, grants: [{ user: u-alice, role: owner }] }\n  - { id: a-2, name: Two, app: X }\n";

const messageFor = (issues: readonly { file: string; message: string }[], file: string) => issues.filter((issue) => issue.file === file).map((issue) => issue.message);

/**
 * Why `nobody` cannot run the CLI of this checkout (a private folder above it,
 * as in a clone under a fresh `mktemp -d`), or undefined when it can.
 */
function otherUserCannotRun(user: { uid: number; gid: number }): string | undefined {
  const probe = spawnSync(process.execPath, [path.resolve(import.meta.dirname, "../../bin/cerby-okta.js"), "--version"], { ...user, encoding: "utf8" });
  if (probe.status === 0) return undefined;
  const lines = (probe.error?.message ?? probe.stderr).trim().split("\n");
  return `uid ${user.uid} cannot run this checkout's CLI (${lines.find((line) => /Error/.test(line)) ?? lines[0]}): a folder above the checkout is private`;
}

describe("files that cannot be read", () => {
  // Root reads everything: the CLI runs as `nobody` then, like a user without the permission.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const skipReason = asUser.uid !== undefined ? otherUserCannotRun({ uid: asUser.uid, gid: asUser.gid }) : undefined;
  if (skipReason) console.warn(`skipped "files that cannot be read": ${skipReason}; run the suite from a checkout every user can reach to cover it`);

  it.skipIf(skipReason !== undefined)("names every unreadable file and folder in one run, with exit status 1 and no crash", async () => {
    const root = await writeWorkspaces({
      acme: { "workspace.yaml": settings("ws-acme"), "accounts.yaml": ACCOUNTS },
      labs: { "workspace.yaml": settings("ws-labs") },
      eu: { "snapshot.json": "{}" },
      fine: { "workspace.yaml": settings("ws-fine") },
    });
    // The other user must reach the folder: through the run's own temporary folder, not /tmp itself.
    for (let dir = root; dir.startsWith(tmpdir()) && dir !== "/tmp"; dir = path.dirname(dir)) await chmod(dir, 0o755);
    await chmod(path.join(root, "acme", "accounts.yaml"), 0o000);
    await chmod(path.join(root, "labs", "workspace.yaml"), 0o000);
    await chmod(path.join(root, "eu"), 0o000);
    const run = await runCli(["validate", "--workspaces", "."], { cwd: root, ...asUser });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      [
        "error: 3 problems in the workspace input:",
        "  acme/accounts.yaml:1:1: cannot read the file: permission denied (EACCES)",
        "  eu:1:1: cannot read the workspace folder: permission denied (EACCES)",
        "  labs/workspace.yaml:1:1: cannot read the file: permission denied (EACCES)",
      ].join("\n"),
    );
  });
});

describe("things that are not files", () => {
  it("names a folder or a pipe that has a workspace file's name instead of waiting on it or skipping it", async () => {
    const root = await writeWorkspaces({ ws: { "workspace.yaml": settings("ws-a") } });
    await mkdir(path.join(root, "ws", "old.yaml"));
    execFileSync("mkfifo", [path.join(root, "ws", "pipe.json")]);
    const issues = await loadIssues(root);
    expect(messageFor(issues, path.join(root, "ws", "old.yaml"))).toEqual(["not a regular file (a folder): only files are read"]);
    expect(messageFor(issues, path.join(root, "ws", "pipe.json"))).toEqual(["not a regular file (a device, socket or pipe): only files are read"]);
  });
});

describe("symbolic links", () => {
  it("follows links to files and folders that stay inside the workspaces folder", async () => {
    const root = await writeWorkspaces({
      acme: { "workspace.yaml": settings("ws-acme") },
      ".shared": { "accounts.yaml": ACCOUNTS },
      ".kept": { "workspace.yaml": settings("ws-kept") },
    });
    await symlink("../.shared/accounts.yaml", path.join(root, "acme", "accounts.yaml"));
    await symlink(".kept", path.join(root, "kept"));
    const workspaces = await loadWorkspaces(root);
    expect(workspaces.map((workspace) => [workspace.settings.id, workspace.accounts.length])).toEqual([
      ["ws-acme", 2],
      ["ws-kept", 0],
    ]);

    const run = await runCli(["validate", "--workspaces", "."], { cwd: root });
    expect(run.stderr).toBe("ok: 2 workspaces, 2 accounts");
    expect(run.exitCode).toBe(0);
  });

  it("reports links that lead outside the workspaces folder, nowhere, or in a loop, instead of skipping them", async () => {
    const outside = await writeWorkspaces({ elsewhere: { "workspace.yaml": settings("ws-elsewhere"), "accounts.yaml": ACCOUNTS } });
    const root = await writeWorkspaces({ acme: { "workspace.yaml": settings("ws-acme") } });
    await symlink(path.join(outside, "elsewhere"), path.join(root, "elsewhere"));
    await symlink(path.join(outside, "elsewhere", "accounts.yaml"), path.join(root, "acme", "accounts.yaml"));
    await symlink("/etc/passwd", path.join(root, "acme", "passwd.yaml"));
    await symlink("gone.yaml", path.join(root, "acme", "broken.yaml"));
    await symlink("loop.json", path.join(root, "acme", "loop.json"));
    await symlink("..", path.join(root, "acme", "up.yaml"));

    const run = await runCli(["validate", "--workspaces", "."], { cwd: root });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n");
    expect(lines[0]).toBe("error: 6 problems in the workspace input:");
    const outsideText = `outside the workspaces folder ${root}: not followed (links are followed only within it)`;
    expect(lines).toEqual(
      expect.arrayContaining([
        `  elsewhere:1:1: symbolic link to ${path.join(outside, "elsewhere")}, ${outsideText}`,
        `  acme/accounts.yaml:1:1: symbolic link to ${path.join(outside, "elsewhere", "accounts.yaml")}, ${outsideText}`,
        `  acme/passwd.yaml:1:1: symbolic link to /etc/passwd, ${outsideText}`,
        "  acme/broken.yaml:1:1: symbolic link not followed: it leads to something that does not exist",
        "  acme/loop.json:1:1: symbolic link not followed: too many symbolic links (a loop?) (ELOOP)",
        expect.stringMatching(/^ {2}acme\/up\.yaml:1:1: symbolic link to .*, outside the workspaces folder/),
      ]),
    );
  });
});
