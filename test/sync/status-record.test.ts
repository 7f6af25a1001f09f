// A status record (.cerby-okta/status/<stack>.json) is a cache of what applies
// did here: a corrupted one is treated as absent, with a warning naming it,
// never a crash or "Workspace undefined".
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAllStatus, readStatus, recordSync, statusFile } from "../../src/sync/status.ts";
import { expectNoCrashText, runCli } from "../workspace/run-cli.ts";

let root: string;
let stateDir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cerby-okta-status-"));
  stateDir = path.join(root, ".cerby-okta");
  await mkdir(path.join(stateDir, "status"), { recursive: true });
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const account = { label: "Contentzilla - Instagram", extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" };

describe("a corrupted status record", () => {
  it.each([
    ["{", /not JSON/],
    ["null", /null, not an object/],
    ["[]", /a list, not an object/],
    ['{"workspaceId": 7, "accounts": {}}', /no workspaceId/],
    ['{"workspaceId": "ws-acme", "accounts": {"a-1": null}}', /account "a-1" lacks label/],
    ['{"workspaceId": "ws-acme", "accounts": []}', /accounts is not an object/],
  ])("%s is treated as absent, with a warning naming the file", async (text, problem) => {
    await writeFile(statusFile(stateDir, "ws-acme"), text);
    const warnings: string[] = [];
    expect(await readStatus(stateDir, "ws-acme", (message) => warnings.push(message))).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${statusFile(stateDir, "ws-acme")} is not a sync status record (`);
    expect(warnings[0]).toMatch(problem);
    expect(warnings[0]).toContain("treated as absent");
  });

  it("leaves the other records readable", async () => {
    await recordSync(stateDir, { stack: "ws-good", workspaceId: "ws-good", digest: "d" }, { "a-1": account }, new Date("2026-12-05T22:00:00Z"));
    await writeFile(statusFile(stateDir, "ws-bad"), "[]");
    const records = await readAllStatus(stateDir);
    expect(records.map((record) => record.workspaceId)).toEqual(["ws-good"]);
  });

  it("does not crash status or shards, and shows no 'Workspace undefined'", async () => {
    await cp(path.resolve(import.meta.dirname, "../../workspaces"), path.join(root, "workspaces"), { recursive: true });
    await writeFile(path.join(root, "cerby-okta.yaml"), "# project\n");
    for (const [stack, text] of [["ws-acme", "{"], ["ws-acme-eu", "null"], ["ws-labs", "[]"]]) await writeFile(statusFile(stateDir, stack!), text!);
    for (const args of [["status"], ["status", "--json"], ["shards"]]) {
      const run = await runCli(args, { cwd: root });
      expectNoCrashText(run.stderr);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).not.toContain("undefined");
      expect(run.stderr).toContain(`warning: ${statusFile(stateDir, "ws-acme")} is not a sync status record (not JSON`);
    }
  });
});
