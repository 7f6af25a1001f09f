// Plan's skip trusts a state only when it holds what the stack's files ask,
// as the last apply recorded it there; and old or broken records on disk
// never crash anything. No Terraform runs here: states are written by hand,
// shaped as Terraform 1.11 writes them.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, APPLY_DONE, APPLY_STARTED, ASSIGNMENTS, SYNC_STAMP, USER_LOOKUP, type ResourceName } from "../../src/stack/names.ts";
import { changedSinceApply, changesSinceApply } from "../../src/sync/plan.ts";
import { DecisionMemo } from "../../src/sync/decision-memo.ts";
import { appliedInState, dataDigest } from "../../src/sync/state-status.ts";
import { statusFromStates } from "../../src/sync/status-report.ts";
import { readStatusRecords, statusFile } from "../../src/sync/status.ts";
import type { StackUnit } from "../../src/stack/shards.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { Limiter } from "../../src/limiter.ts";

let root: string;
let paths: { outDir: string; stateDir: string };
const stateFile = () => path.join(root, "terraform.ws.tfstate");
const stackFolder = () => path.join(paths.outDir, "stacks", "ws");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const data = { version: 2, workspaceId: "ws", apps: { "a-1": {}, "a-2": {} }, accessGroups: {}, oktaUserIds: {}, userSearches: {}, adopt: { apps: {}, accessGroups: {} } };
// The state file beside the project's cdktf.out, as the stack's backend names it (relative to the stack folder).
const config = JSON.stringify({ terraform: { backend: { local: { path: "../../../terraform.ws.tfstate" } } } });
let dataText = JSON.stringify(data);

function instances(resource: ResourceName, keys: readonly string[], attributes: (key: string) => Record<string, unknown> = () => ({})) {
  return { mode: resource.mode, type: resource.type, name: resource.name, instances: keys.map((key) => ({ index_key: key, attributes: attributes(key) })) };
}
function recordOf(resource: ResourceName, digests: { config: string; data: string }) {
  return { mode: "managed", type: "terraform_data", name: resource.name, instances: [{ attributes: { output: { value: digests, type: ["object", { config: "string", data: "string" }] } } }] };
}
/** A state as a successful apply of the files leaves it; `change` edits it first. */
function appliedState(change: (state: { resources: unknown[] }) => void = () => {}) {
  const digests = { config: sha256(config), data: dataDigest(JSON.parse(dataText)) };
  const keys = Object.keys(data.apps);
  const state = {
    version: 4,
    serial: 7,
    lineage: "l-1",
    outputs: {},
    resources: [
      recordOf(APPLY_STARTED, digests),
      ...[APP, ACCESS_GROUP, ACCESS_MEMBERS, ASSIGNMENTS].map((resource) => instances(resource, keys)),
      instances(SYNC_STAMP, keys, (key) => ({ output: { value: `2026-12-01T10:00:0${key.slice(-1)}Z`, type: "string" } })),
      recordOf(APPLY_DONE, digests),
    ],
  };
  change(state);
  return JSON.stringify(state);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cerby-okta-state-status-"));
  paths = { outDir: path.join(root, "cdktf.out"), stateDir: path.join(root, ".cerby-okta") };
  await mkdir(stackFolder(), { recursive: true });
  dataText = JSON.stringify(data);
  await writeFile(path.join(stackFolder(), "cdk.tf.json"), config);
  await writeFile(path.join(stackFolder(), "cerby-okta.json"), dataText);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("plan's skip, from the state alone", () => {
  it("skips a stack whose state the last apply of exactly these files left", async () => {
    await writeFile(stateFile(), appliedState());
    expect(await changedSinceApply(paths, "ws")).toMatchObject({ changed: false, reason: "applied as it is" });
  });

  it.each([
    ["no state at all (a fresh backend, or the state deleted)", undefined, "no apply recorded in its state"],
    ["an emptied state (0 bytes)", "", "is empty (a write cut short?)"],
    ["a state cut short", appliedState().slice(0, 100), "is not a Terraform state"],
    ["a state written before the record existed", appliedState((state) => (state.resources = state.resources.slice(1, -1))), "no apply recorded in its state"],
    ["a destroyed stack", JSON.stringify({ version: 4, serial: 9, lineage: "l-1", resources: [] }), "no apply recorded in its state"],
    [
      "an apply that started on other files and did not finish",
      appliedState((state) => (state.resources[0] = recordOf(APPLY_STARTED, { config: sha256(config), data: "other" }))),
      "its last apply did not finish",
    ],
    [
      "a state where an app was taken out by hand (terraform state rm)",
      appliedState((state) => (state.resources[1] = instances(APP, ["a-1"]))),
      "okta_app_bookmark instances are not the accounts its files hold",
    ],
  ])("plans the stack after %s", async (_, state, reason) => {
    if (state !== undefined) await writeFile(stateFile(), state);
    const result = await changedSinceApply(paths, "ws");
    expect(result.changed).toBe(true);
    expect(result.reason).toContain(reason);
  });

  it("skips it still once the imports the apply took in are dropped from its data file", async () => {
    dataText = JSON.stringify({ ...data, adopt: { apps: { "a-1": "0oa1" }, accessGroups: {} } });
    await writeFile(stateFile(), appliedState());
    await writeFile(path.join(stackFolder(), "cerby-okta.json"), JSON.stringify(data));
    expect(await appliedInState(paths, "ws")).toEqual({ applied: true, reason: "applied as it is" });
  });

  it("digests the data as Terraform's jsonencode writes it: keys sorted by their bytes, strings escaped as Go does", () => {
    const text = JSON.stringify({ b: ["<a> & \u2028"], "\u{1F600}": 1, "\uFF21": true, a: { y: null, x: "\"" } });
    const expected = '{"a":{"x":"\\"","y":null},"b":["\\u003ca\\u003e \\u0026 \\u2028"],"\uFF21":true,"\u{1F600}":1}';
    expect(dataDigest(JSON.parse(text))).toBe(sha256(expected));
  });

  it("plans the stack when its files changed since the apply recorded in the state", async () => {
    await writeFile(stateFile(), appliedState());
    await writeFile(path.join(stackFolder(), "cerby-okta.json"), JSON.stringify({ ...data, apps: { "a-1": {} } }));
    expect(await appliedInState(paths, "ws")).toEqual({ applied: false, reason: "its files changed since its last apply" });
  });

  it("plans a stack waiting for someone Okta did not find by login, until the state holds them", async () => {
    dataText = JSON.stringify({ ...data, userSearches: { "u-new": 'profile.login eq "new@x.example"' } });
    await writeFile(path.join(stackFolder(), "cerby-okta.json"), dataText);
    await writeFile(stateFile(), appliedState((state) => state.resources.push(instances(USER_LOOKUP, ["u-new"], () => ({ users: [] })))));
    expect((await appliedInState(paths, "ws")).reason).toBe("someone looked up by login was not found in Okta yet");
    await writeFile(stateFile(), appliedState((state) => state.resources.push(instances(USER_LOOKUP, ["u-new"], () => ({ users: [{ id: "00u1" }] })))));
    expect((await appliedInState(paths, "ws")).applied).toBe(true);
  });

  it("counts a state in a remote backend as changed when no Terraform may read it", async () => {
    await writeFile(path.join(stackFolder(), "cdk.tf.json"), JSON.stringify({ terraform: { backend: { s3: { bucket: "b", key: "k" } } } }));
    expect(await appliedInState(paths, "ws")).toEqual({ applied: false, reason: "its state is in a s3 backend, which only Terraform reads" });
  });

  it("reads remote states through Terraform no more at once than its slots allow, however many stacks are decided at once", async () => {
    await writeFile(path.join(stackFolder(), "cdk.tf.json"), JSON.stringify({ terraform: { backend: { s3: { bucket: "b", key: "k" } } } }));
    let running = 0;
    let most = 0;
    const terraform = {
      async init() {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      async pullState() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return JSON.parse(appliedState()) as unknown;
      },
    } as unknown as Terraform;
    const slots = new Limiter(2);
    const results = await Promise.all(Array.from({ length: 6 }, () => appliedInState(paths, "ws", terraform, slots)));
    // Each state was pulled and compared (its record names the local configuration, not this s3 one).
    expect(new Set(results.map((result) => result.reason))).toEqual(new Set(["its files changed since its last apply"]));
    expect(most).toBe(2);
  });
});

describe("what deciding remembers of a state (decision-memo.ts)", () => {
  // As every run does, with a clock a minute on: the files written here count as settled (decision-memo.ts).
  const decide = async () => {
    const memo = await DecisionMemo.load(paths.stateDir, () => Date.now() + 60_000);
    const [decided] = await changesSinceApply(paths, [{ id: "ws" } as StackUnit], undefined, 1, undefined, memo);
    await memo.save();
    return decided!;
  };
  const memoFile = () => path.join(paths.stateDir, "decision-memo.json");

  it("reads a state again once anything rewrote it, even to the same size and modification time", async () => {
    await mkdir(paths.stateDir, { recursive: true });
    await writeFile(stateFile(), appliedState());
    expect(await decide()).toMatchObject({ changed: false, reason: "applied as it is" });
    expect(JSON.parse(await readFile(memoFile(), "utf8")).states[stateFile()].summary.done).toBeDefined();
    // Another account's objects in place of a-2's (as a restore of another stack's backup would), same length, same mtime.
    const { mtime } = await stat(stateFile());
    const other = appliedState((state) => {
      for (const resource of state.resources as { name: string; instances: { index_key?: string }[] }[]) {
        if (resource.name === APP.name) for (const instance of resource.instances) if (instance.index_key === "a-2") instance.index_key = "a-9";
      }
    });
    expect(other.length).toBe(appliedState().length);
    await writeFile(stateFile(), other);
    await utimes(stateFile(), mtime, mtime);
    expect(await decide()).toMatchObject({ changed: true, reason: "its state's okta_app_bookmark instances are not the accounts its files hold (changed outside an apply)" });
    await writeFile(stateFile(), appliedState());
    expect(await decide()).toMatchObject({ changed: false });
  });

  it("takes a memo it cannot use for none: broken, of another version, or with hostile keys", async () => {
    await mkdir(paths.stateDir, { recursive: true });
    await writeFile(stateFile(), appliedState((state) => (state.resources = state.resources.slice(0, -1))));
    for (const text of [
      "{",
      JSON.stringify({ version: 2, states: {} }),
      JSON.stringify({ version: 1, states: { ["__proto__"]: { identity: "x", summary: { keys: {}, found: [] } }, [stateFile()]: { identity: 7, summary: null } }, dataDigests: { constructor: 1 } }),
    ]) {
      await writeFile(memoFile(), text);
      expect(await decide()).toMatchObject({ changed: true, reason: "no apply recorded in its state" });
    }
    await writeFile(stateFile(), appliedState());
    expect(await decide()).toMatchObject({ changed: false });
  });

  it("does not read a state it remembers, and remembers nothing of a state written while it was read", async () => {
    await writeFile(stateFile(), "{}");
    const summary = { keys: {}, found: [] };
    const later = () => Date.now() + 60_000;
    const first = await DecisionMemo.load(root, later);
    let reads = 0;
    const read = async () => {
      reads++;
      return { readable: true as const, summary };
    };
    await first.stateSummary(stateFile(), read);
    await first.save();
    const second = await DecisionMemo.load(root, later);
    expect(await second.stateSummary(stateFile(), read)).toEqual({ readable: true, summary });
    expect(reads).toBe(1);

    await writeFile(stateFile(), '{"serial": 1}');
    const third = await DecisionMemo.load(root, later);
    // Terraform writes the state while it is read: what was read may be neither version, so it is not remembered.
    await third.stateSummary(stateFile(), async () => {
      reads++;
      await writeFile(stateFile(), '{"serial": 2}');
      return { readable: true, summary };
    });
    expect(reads).toBe(2);
    await third.stateSummary(stateFile(), read);
    expect(reads).toBe(3);

    // A state changed within the last seconds is never remembered: a write in the same timestamp tick would not show.
    await writeFile(stateFile(), '{"serial": 3}');
    const now = await DecisionMemo.load(root);
    await now.stateSummary(stateFile(), read);
    await now.stateSummary(stateFile(), read);
    expect(reads).toBe(5);
  });
});

describe("status (R9) from the state", () => {
  const unit = {
    id: "ws",
    workspaceId: "ws",
    chiclets: ["a-1", "a-2"].map((accountId) => ({ accountId, label: `${accountId} - App`, extendedBy: "u-owner", extendedAt: "2026-01-01T00:00:00Z" })),
  } as unknown as StackUnit;

  it("gives each account the time its stamp in the state holds", async () => {
    await writeFile(stateFile(), appliedState());
    const report = await statusFromStates([unit], paths, undefined);
    expect(report.workspaces[0]!.accounts["a-2"]).toEqual({ label: "a-2 - App", extendedBy: "u-owner", extendedAt: "2026-01-01T00:00:00Z", lastSyncedAt: "2026-12-01T10:00:02Z" });
    expect(report.stacks).toEqual([{ stack: "ws", workspaceId: "ws", state: "applied", detail: "applied as it is" }]);
  });

  it("claims no sync for a destroyed state, even with this machine's old record on disk", async () => {
    await mkdir(path.dirname(statusFile(paths.stateDir, "ws")), { recursive: true });
    await writeFile(statusFile(paths.stateDir, "ws"), JSON.stringify({ workspaceId: "ws", accounts: { "a-1": { label: "One - X", extendedBy: "u-alice", extendedAt: "2026-01-01T00:00:00Z", lastSyncedAt: "2026-11-01T00:00:00Z" } } }));
    await writeFile(stateFile(), JSON.stringify({ version: 4, serial: 9, lineage: "l-1", resources: [], outputs: {} }));
    const destroyed = await statusFromStates([unit], paths, undefined);
    expect(destroyed.workspaces[0]!.accounts["a-1"]!.lastSyncedAt).toBeUndefined();
    expect(destroyed.stacks[0]).toMatchObject({ state: "pending", detail: "no apply recorded in its state" });
  });

  it("shows this machine's old record for a state applied before the record moved into it, until the next apply", async () => {
    await mkdir(path.dirname(statusFile(paths.stateDir, "ws")), { recursive: true });
    await writeFile(statusFile(paths.stateDir, "ws"), JSON.stringify({ workspaceId: "ws", accounts: { "a-1": { label: "One - X", extendedBy: "u-alice", extendedAt: "2026-01-01T00:00:00Z", lastSyncedAt: "2026-11-01T00:00:00Z" } } }));
    await writeFile(stateFile(), appliedState((state) => (state.resources = state.resources.slice(1, 5))));
    const old = await statusFromStates([unit], paths, undefined);
    expect(old.workspaces[0]!.accounts["a-1"]!.lastSyncedAt).toBe("2026-11-01T00:00:00Z");
    expect(old.workspaces[0]!.accounts["a-2"]!.lastSyncedAt).toBeUndefined();
    expect(old.stacks[0]).toMatchObject({ state: "pending", fromLocalRecord: true });
  });

  it("reads many stacks' states at once and reports each in the stacks' order, with its own times", async () => {
    const ids = Array.from({ length: 12 }, (_, index) => `ws-s${String(index).padStart(3, "0")}`);
    for (const [index, id] of ids.entries()) {
      const folder = path.join(paths.outDir, "stacks", id);
      const own = JSON.stringify({ terraform: { backend: { local: { path: `../../../terraform.${id}.tfstate` } } } });
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, "cdk.tf.json"), own);
      await writeFile(path.join(folder, "cerby-okta.json"), dataText);
      // Every other stack was applied, each at its own time; the rest have no state yet.
      if (index % 2 === 0) {
        const applied = JSON.parse(appliedState()) as { resources: { name: string; instances: { attributes: { output?: { value: unknown } } }[] }[] };
        for (const resource of applied.resources) {
          if (resource.name.startsWith("cerby_okta_apply")) resource.instances[0]!.attributes.output!.value = { config: sha256(own), data: dataDigest(JSON.parse(dataText)) };
          if (resource.name === SYNC_STAMP.name) for (const instance of resource.instances) instance.attributes.output!.value = `2026-12-01T10:${String(index).padStart(2, "0")}:00Z`;
        }
        await writeFile(path.join(root, `terraform.${id}.tfstate`), JSON.stringify(applied));
      }
    }
    // One workspace per stack here, so that each stack's a-1 is reported apart.
    const units = ids.map((id) => ({ ...unit, id, workspaceId: id }) as unknown as StackUnit);
    const report = await statusFromStates(units, paths, undefined);
    expect(report.stacks.map((stack) => `${stack.stack} ${stack.state}`)).toEqual(ids.map((id, index) => `${id} ${index % 2 === 0 ? "applied" : "pending"}`));
    expect(report.workspaces.map((workspace) => `${workspace.workspaceId} ${workspace.accounts["a-1"]!.lastSyncedAt ?? "never"}`)).toEqual(
      ids.map((id, index) => `${id} ${index % 2 === 0 ? `2026-12-01T10:${String(index).padStart(2, "0")}:00Z` : "never"}`),
    );
  });

  it("reads an unreadable state as unreadable, with no time claimed", async () => {
    await writeFile(stateFile(), "{");
    const report = await statusFromStates([unit], paths, undefined);
    expect(report.workspaces[0]!.accounts["a-1"]!.lastSyncedAt).toBeUndefined();
    expect(report.stacks[0]!.state).toBe("unreadable");
  });
});

describe("this machine's old records", () => {
  it.each(["{", "null", "[]", '"text"', '{"workspaceId": 3, "accounts": {}}'])("ignores a record file holding %s", async (text) => {
    await mkdir(path.join(paths.stateDir, "status"), { recursive: true });
    await writeFile(statusFile(paths.stateDir, "broken"), text);
    await writeFile(statusFile(paths.stateDir, "ws"), JSON.stringify({ workspaceId: "ws", stack: "ws", shards: 1, accounts: {} }));
    expect(await readStatusRecords(paths.stateDir)).toEqual([{ workspaceId: "ws", stack: "ws", shards: 1, accounts: {} }]);
  });
});
