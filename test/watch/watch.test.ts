// Watch mode against real file-system events in a temporary folder.
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWatcher, type Watcher, type WatchOptions } from "../../src/watch/watcher.ts";
import { makeTempDir, removeDir, settingsYaml } from "../../harness/workspace-fixture.ts";
import { captureLog, copyExamples, readData, readStack, recordSyncs, type SyncLog } from "./helpers.ts";

let dir: string;
let workspacesDir: string;
let outDir: string;
let watcher: Watcher | undefined;
let output: ReturnType<typeof captureLog>;

beforeEach(async () => {
  dir = makeTempDir();
  workspacesDir = path.join(dir, "workspaces");
  outDir = path.join(dir, "out");
  await copyExamples(workspacesDir);
  output = captureLog();
});

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await removeDir(dir);
});

async function start(options: Partial<WatchOptions> = {}): Promise<SyncLog> {
  watcher = startWatcher({ workspacesDir, outDir, debounceMs: 60, log: output.log, ...options });
  const syncs = recordSyncs(watcher);
  await watcher.ready;
  const first = await syncs.next();
  expect(first.outcome).toBe("ok");
  syncs.mark();
  return syncs;
}

const accountsFile = () => path.join(workspacesDir, "acme", "accounts.yaml");

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function editAccounts(edit: (text: string) => string): Promise<void> {
  const text = await readFile(accountsFile(), "utf8");
  const edited = edit(text);
  expect(edited).not.toBe(text);
  await writeFile(accountsFile(), edited);
}

/** Gives u-carol a direct grant on a-contentzilla (she reaches it through t-agency already, so use Vendor Portal). */
const grantFrankOnVendorPortal = (text: string) =>
  text.replace("      - { user: u-erin, role: collaborator }     # suspended: left out", "      - { user: u-erin, role: collaborator }\n      - { user: u-frank, role: collaborator }");

describe("watch", () => {
  it("writes every synced stack on start", async () => {
    await start();
    for (const id of ["ws-acme", "ws-acme-eu"]) expect(JSON.parse((await readStack(outDir, id)).data).workspaceId).toBe(id);
    expect(existsSync(path.join(outDir, "stacks", "ws-labs"))).toBe(false); // switch off: nothing synthesized
    const manifest = JSON.parse(await readFile(path.join(outDir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(["ws-acme", "ws-acme-eu"]);
    expect(output.lines.join("\n")).toMatch(/sync #1 \(first\) done in (\d+ ms|\d+\.\d s): wrote ws-acme, ws-acme-eu/);
  });

  it("picks up an edit, writes only the affected stack, and prints it in Okta terms", async () => {
    const syncs = await start();
    const eu = await readStack(outDir, "ws-acme-eu");
    await editAccounts(grantFrankOnVendorPortal);
    const report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.length > 0);
    expect(report.written).toEqual(["ws-acme"]);
    expect(report.filesParsed).toEqual([expect.stringMatching(/acme[/\\]accounts\.yaml$/)]);
    expect(report.changes).toEqual(['ws-acme: + frank@acme.example (u-frank) sees "Vendor Portal - Salesforce"']);
    const data = await readData(outDir, "ws-acme");
    expect(data.accessGroups["a-vendor-portal"]!.users).toContain("u-frank");
    expect(await readStack(outDir, "ws-acme-eu")).toEqual(eu);
  });

  it("renumbers a label in another workspace of the same org", async () => {
    const syncs = await start();
    // ws-acme-eu's Contentzilla - Instagram was extended later than ws-acme's: it is "(3)". Make it the earliest.
    const file = path.join(workspacesDir, "acme-eu", "snapshot.json");
    const text = await readFile(file, "utf8");
    const match = /"extendedAt": "([^"]+)"/.exec(text)!;
    await writeFile(file, text.replace(match[0], '"extendedAt": "2020-01-01T00:00:00Z"'));
    const report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.length > 0);
    expect(report.written).toEqual(["ws-acme", "ws-acme-eu"]);
    expect(report.changes.filter((line) => line.includes(": relabel"))).toEqual([
      'ws-acme: ~ a-contentzilla: relabel "Contentzilla - Instagram" -> "Contentzilla - Instagram (2)"',
      'ws-acme: ~ a-contentzilla-backup: relabel "Contentzilla - Instagram (2)" -> "Contentzilla - Instagram (3)"',
      'ws-acme-eu: ~ a-eu-contentzilla: relabel "Contentzilla - Instagram (3)" -> "Contentzilla - Instagram"',
    ]);
  });

  it("folds a burst of 100 writes into one sync", async () => {
    const syncs = await start({ debounceMs: 300, maxWaitMs: 10_000 });
    const original = await readFile(accountsFile(), "utf8");
    for (let write = 1; write <= 100; write++) {
      const text = write === 100 ? grantFrankOnVendorPortal(original) : `# write ${write}\n${original}`;
      writeFileSync(accountsFile(), text);
    }
    const report = await syncs.next((candidate) => candidate.outcome !== "unchanged");
    expect(report.outcome).toBe("ok");
    expect(report.written).toEqual(["ws-acme"]);
    expect((await readData(outDir, "ws-acme")).accessGroups["a-vendor-portal"]!.users).toContain("u-frank");
    // No second sync follows: wait well past the debounce for stragglers.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(syncs.reports.filter((candidate) => candidate.seq > 1)).toHaveLength(1);
  });

  it("keeps the last good output on a bad edit, names file and line, and recovers on the next good edit", async () => {
    const syncs = await start();
    const before = await readStack(outDir, "ws-acme");
    const good = await readFile(accountsFile(), "utf8");

    // Half-written: the file is cut in the middle of a flow mapping.
    await writeFile(accountsFile(), good.slice(0, good.indexOf("role: owner }") + 5));
    let report = await syncs.next((candidate) => candidate.outcome !== "unchanged");
    expect(report.outcome).toBe("invalid");
    expect(report.issues[0]!.file).toMatch(/accounts\.yaml$/);
    expect(await readStack(outDir, "ws-acme")).toEqual(before);

    // Unknown user and a bad role.
    await writeFile(accountsFile(), good.replace("{ user: u-bob, role: owner }", "{ user: u-nobody, role: owner }").replace("{ user: u-dave, role: collaborator }", "{ user: u-dave, role: viewer }"));
    report = await syncs.next((candidate) => candidate.outcome !== "unchanged");
    expect(report.outcome).toBe("invalid");
    const messages = output.lines.join("\n");
    expect(messages).toMatch(/accounts\.yaml:\d+:\d+ accounts\[1\]\.grants\[1\]\.role: must be one of/);
    expect(await readStack(outDir, "ws-acme")).toEqual(before);

    await writeFile(accountsFile(), good.replace("{ user: u-bob, role: owner }", "{ user: u-nobody, role: owner }"));
    report = await syncs.next((candidate) => candidate.outcome !== "unchanged");
    expect(report.outcome).toBe("invalid");
    expect(output.lines.join("\n")).toMatch(/accounts\.yaml:19:11 accounts\[1\]\.grants\[0\]\.user: unknown user "u-nobody"/);

    await writeFile(accountsFile(), grantFrankOnVendorPortal(good));
    report = await syncs.next((candidate) => candidate.outcome !== "unchanged");
    expect(report.outcome).toBe("ok");
    expect(report.written).toEqual(["ws-acme"]);
    expect((await readData(outDir, "ws-acme")).accessGroups["a-vendor-portal"]!.users).toContain("u-frank");
  });

  it("handles a renamed file, a deleted file, a new workspace folder, a deleted one and the switch turned off", async () => {
    const syncs = await start();
    // Renamed: same content under another name, nothing changes in Okta.
    await rename(accountsFile(), path.join(workspacesDir, "acme", "accounts-renamed.yaml"));
    let report = await syncs.next((candidate) => candidate.outcome === "ok");
    expect(report.written).toEqual([]);

    // Deleted: its accounts go.
    await rm(path.join(workspacesDir, "acme", "accounts-renamed.yaml"));
    report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.length > 0);
    expect(report.changes).toContain('ws-acme: - a-vendor-portal: remove chiclet "Vendor Portal - Salesforce"');
    expect(Object.keys((await readData(outDir, "ws-acme")).apps)).toEqual([]);

    // A new workspace folder appears.
    await mkdir(path.join(workspacesDir, "new"));
    await writeFile(
      path.join(workspacesDir, "new", "workspace.yaml"),
      `${settingsYaml({ id: "ws-new", orgName: "other", users: 3, teams: 0 })}accounts:\n  - { id: a-1, name: "Promo \${x} %{y} Name", app: X, grants: [{ user: u-0, role: owner }], okta: { extendedBy: u-0, extendedAt: "2026-01-01T00:00:00Z" } }\n`,
    );
    report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.includes("ws-new"));
    expect((await readData(outDir, "ws-new")).apps["a-1"]!.label).toBe("Promo ${x} %{y} Name - X");
    const manifest = JSON.parse(await readFile(path.join(outDir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(["ws-acme", "ws-acme-eu", "ws-new"]);

    // A grant there.
    const newFile = path.join(workspacesDir, "new", "workspace.yaml");
    await writeFile(newFile, (await readFile(newFile, "utf8")).replace("grants: [{ user: u-0, role: owner }]", "grants: [{ user: u-0, role: owner }, { user: u-1, role: collaborator }]"));
    report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.includes("ws-new"));
    expect(report.changes).toEqual(['ws-new: + user1@acme.example (u-1) sees "Promo ${x} %{y} Name - X"']);

    // The switch turned off: the output stays, with a notice.
    const eu = path.join(workspacesDir, "acme-eu", "snapshot.json");
    const euBefore = await readStack(outDir, "ws-acme-eu");
    await writeFile(eu, (await readFile(eu, "utf8")).replace('"extendedAccountAccess": true', '"extendedAccountAccess": false'));
    report = await syncs.next((candidate) => candidate.outcome === "ok");
    expect(report.written).toEqual([]);
    expect(await readStack(outDir, "ws-acme-eu")).toEqual(euBefore);
    expect(output.lines.join("\n")).toMatch(/ws-acme-eu: Extended account access is off: its stack .* is left as it was/);

    // A deleted workspace folder: the output stays, with a notice.
    await rm(path.join(workspacesDir, "new"), { recursive: true });
    report = await syncs.next((candidate) => candidate.outcome === "ok");
    expect(existsSync(path.join(outDir, "stacks", "ws-new", "cerby-okta.json"))).toBe(true);
    expect(output.lines.join("\n")).toMatch(/ws-new: its workspace folder .* is gone .* left in place/);
  });

  it("keeps running when the workspaces folder is deleted, and picks it up again when it comes back", async () => {
    const syncs = await start({ rootPollMs: 100 });
    const before = await readStack(outDir, "ws-acme");
    await rm(workspacesDir, { recursive: true, force: true });
    await until(() => output.lines.some((line) => line.includes("is gone; the last good output stays in place; waiting for it to come back")));
    expect(await readStack(outDir, "ws-acme")).toEqual(before);
    await copyExamples(workspacesDir);
    await editAccounts(grantFrankOnVendorPortal);
    const report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.includes("ws-acme"));
    // On a busy machine the copy and the edit can land in one sync, which then also notes ws-labs (switched off) again.
    const notice = "ws-labs: ! Extended account access is off: nothing is synthesized and what is already in Okta stays as it is (R1)";
    expect(report.changes.filter((line) => line !== notice)).toEqual(['ws-acme: + frank@acme.example (u-frank) sees "Vendor Portal - Salesforce"']);
    expect(output.lines.join("\n")).toContain("is back");
  });

  it("drops a sync stopped while in flight, leaving the last complete output and no staging folders", async () => {
    const syncs = await start();
    const before = await readStack(outDir, "ws-acme");
    let stopping: Promise<unknown> | undefined;
    watcher!.onSyncStart(() => {
      stopping ??= watcher!.stop();
    });
    await editAccounts(grantFrankOnVendorPortal);
    const report = await syncs.next();
    expect(report.outcome).toBe("aborted");
    expect(await stopping).toEqual({ syncInterrupted: true, applyInterrupted: false });
    expect(await readStack(outDir, "ws-acme")).toEqual(before);
    expect((await readdir(path.join(outDir, "stacks"))).sort()).toEqual(["ws-acme", "ws-acme-eu"]);
    expect((await readdir(outDir)).sort()).toEqual([".cerby-okta-out", "manifest.json", "stacks"]);
  });

  it("applies only the changed stacks, one run at a time, and stops an in-flight run", async () => {
    const runs: string[][] = [];
    let release: (() => void) | undefined;
    const syncs = await start({
      applyStacks: async (ids, signal) => {
        runs.push(ids);
        if (runs.length < 3) return;
        // The third run hangs like a long Terraform apply until stopped.
        await new Promise<void>((resolve, reject) => {
          release = resolve;
          signal.addEventListener("abort", () => reject(new Error("terraform stopped")), { once: true });
        });
      },
    });
    expect(runs).toEqual([["ws-acme", "ws-acme-eu"]]);
    await editAccounts(grantFrankOnVendorPortal);
    const report = await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.length > 0);
    expect(report.applied).toEqual(["ws-acme"]);
    expect(runs).toEqual([["ws-acme", "ws-acme-eu"], ["ws-acme"]]);

    await editAccounts((text) => text.replace("{ user: u-frank, role: collaborator }", "{ user: u-frank, role: manager }"));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (runs.length === 3) resolve();
        else if (Date.now() - started > 60_000) reject(new Error("apply never started"));
        else return;
        clearInterval(poll);
      }, 10);
    });
    const written = await readStack(outDir, "ws-acme");
    const result = await watcher!.stop();
    expect(result).toEqual({ syncInterrupted: false, applyInterrupted: true });
    expect(release).toBeDefined();
    // The manager sees nothing: the access group stays (it lives as long as the app), empty.
    expect(JSON.parse(written.data).accessGroups["a-vendor-portal"].users).toEqual([]);
    expect(await readStack(outDir, "ws-acme")).toEqual(written);
  });

  it("folds changes made during an apply into the next sync, and retries a failed apply after the next change", async () => {
    const runs: string[][] = [];
    let release: (() => void) | undefined;
    const syncs = await start({
      applyStacks: async (ids) => {
        runs.push(ids);
        if (runs.length === 2) await new Promise<void>((resolve) => (release = resolve));
        if (runs.length === 4) throw new Error("terraform: 429 Too Many Requests", { cause: new Error("rate limited") });
      },
    });
    await editAccounts(grantFrankOnVendorPortal);
    await until(() => release !== undefined);
    await editAccounts((text) => text.replace("{ user: u-frank, role: collaborator }", "{ user: u-frank, role: manager }"));
    await new Promise((resolve) => setTimeout(resolve, 400)); // well past the debounce: no second sync may start meanwhile
    expect(syncs.reports).toHaveLength(1);
    release!();
    const second = await syncs.next();
    const third = await syncs.next();
    expect([second.seq, second.outcome, second.applied]).toEqual([2, "ok", ["ws-acme"]]);
    expect([third.seq, third.outcome, third.applied]).toEqual([3, "ok", ["ws-acme"]]);
    expect(third.changes).toEqual(['ws-acme: - frank@acme.example (u-frank) no longer sees "Vendor Portal - Salesforce"']);

    // A failed apply: printed with Terraform's reason, the stack stays pending and goes with the next change.
    await editAccounts((text) => text.replace("{ user: u-frank, role: manager }", "{ user: u-frank, role: collaborator }"));
    const failed = await syncs.next();
    expect(failed.outcome).toBe("failed");
    expect(output.lines.join("\n")).toMatch(/applying: terraform: 429 Too Many Requests: rate limited; ws-acme stay pending/);
    await writeFile(path.join(workspacesDir, "acme-eu", "snapshot.json"), (await readFile(path.join(workspacesDir, "acme-eu", "snapshot.json"), "utf8")).replace('"name": "Acme Europe"', '"name": "Acme EU"'));
    const retried = await syncs.next();
    expect([retried.outcome, retried.written, retried.applied]).toEqual(["ok", [], ["ws-acme"]]);
    expect(runs.slice(1)).toEqual([["ws-acme"], ["ws-acme"], ["ws-acme"], ["ws-acme"]]);
  });

  it("keeps Terraform's files in a stack folder across rewrites", async () => {
    const syncs = await start();
    await mkdir(path.join(outDir, "stacks", "ws-acme", ".terraform"));
    await writeFile(path.join(outDir, "stacks", "ws-acme", ".terraform.lock.hcl"), "# lock\n");
    await editAccounts(grantFrankOnVendorPortal);
    await syncs.next((candidate) => candidate.outcome === "ok" && candidate.written.length > 0);
    expect((await readdir(path.join(outDir, "stacks", "ws-acme"))).sort()).toEqual([".cerby-okta-template.json", ".terraform", ".terraform.lock.hcl", "cdk.tf.json", "cerby-okta.json"]);
  });

  it("fails to start on a missing workspaces folder", async () => {
    watcher = startWatcher({ workspacesDir: path.join(dir, "nope"), outDir, log: output.log });
    await expect(watcher.ready).rejects.toThrow(/cannot read the workspaces folder/);
  });
});
