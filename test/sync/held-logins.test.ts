// What looked-up logins stood for at the last apply, read from the state
// (APPLY_DONE) into the people record before a plan: a machine that never saw
// a login resolve holds it as the one that did.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STACK_DATA_FILE, buildStackData, type StackData } from "../../src/stack/stack-data.ts";
import { resolvedLoginsInState, restoreHeldLogins } from "../../src/sync/held-logins.ts";
import { readPeopleRecord, writePeopleRecord, emptyPeopleRecord } from "../../src/sync/people-record.ts";
import { currentState } from "../../src/sync/stack-states.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { desiredFromText, oneAccountWorkspace } from "../support/desired.ts";

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((made) => rm(made, { recursive: true, force: true })));
});

/** ws-test: a-1 seen by u-alice (00u1alice), u-carol (looked up by login) and a team. */
const workspace = () => desiredFromText(oneAccountWorkspace("Contentzilla"), "workspaces/test/workspace.json").workspaces[0]!;

/** A state whose last apply recorded `resolved` as what the logins stood for. */
const stateWith = (resolved: unknown) => ({
  version: 4,
  resources: [
    { mode: "managed", type: "terraform_data", name: "cerby_okta_apply_done", instances: [{ attributes: { output: { value: { config: "c", data: "d", resolvedLogins: resolved }, type: "dynamic" } } }] },
  ],
});

/** The stack folder of ws-test as synthesized (no people record yet), with a local state file (none: never applied). */
async function stack(state: unknown | undefined) {
  const root = await mkdtemp(path.join(tmpdir(), "cerby-okta-held-"));
  folders.push(root);
  const paths = { outDir: path.join(root, "out"), stateDir: path.join(root, "state") };
  const dir = path.join(paths.outDir, "stacks", "ws-test");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "../../../ws-test.tfstate" } } } }));
  await writeFile(path.join(dir, STACK_DATA_FILE), JSON.stringify(buildStackData(workspace())));
  if (state !== undefined) await writeFile(path.join(root, "ws-test.tfstate"), JSON.stringify(state));
  const data = async () => JSON.parse(await readFile(path.join(dir, STACK_DATA_FILE), "utf8")) as StackData;
  // A local state is read as a file: Terraform is never asked.
  const stateNow = () => currentState(dir, "ws-test", {} as Terraform);
  return { paths, data, stateNow };
}

describe("what looked-up logins stood for, kept in the state", () => {
  it("reads the Okta user IDs the last apply recorded, and nothing else", () => {
    expect(resolvedLoginsInState(stateWith({ "u-carol": "00u1carol", "u-x": 7, "u-y": "", __proto__: "00u1proto" }))).toEqual({ "u-carol": "00u1carol" });
    const odd = resolvedLoginsInState(stateWith(JSON.parse('{"__proto__": "00u1proto"}')));
    expect(Object.keys(odd)).toEqual(["__proto__"]);
    expect(odd["__proto__"]).toBe("00u1proto");
    for (const state of [{}, null, { resources: "no" }, stateWith(null), stateWith("text"), { resources: [{ mode: "managed", type: "terraform_data", name: "cerby_okta_apply_done" }] }]) {
      expect(resolvedLoginsInState(state)).toEqual({});
    }
  });

  it("holds a login on a machine with no people record, as the state says, and rewrites the data file once", async () => {
    const { paths, data, stateNow } = await stack(stateWith({ "u-carol": "00u1carol" }));
    expect((await data()).heldOktaUserIds).toEqual({});
    expect(await restoreHeldLogins(paths, "ws-test", workspace(), stateNow)).toBe(1);
    expect((await data()).heldOktaUserIds).toEqual({ "u-carol": "00u1carol" });
    const record = await readPeopleRecord(paths.stateDir, "ws-test");
    expect(record.resolved).toEqual({ "u-carol": "00u1carol" });
    expect(record.names["00u1carol"]).toBe("u-carol");
    expect(await restoreHeldLogins(paths, "ws-test", workspace(), stateNow)).toBe(0);
  });

  it("takes the state's ID over an older one in this machine's record: every machine holds what Okta has now", async () => {
    const { paths, data, stateNow } = await stack(stateWith({ "u-carol": "00u2carol" }));
    await writePeopleRecord(paths.stateDir, "ws-test", { ...emptyPeopleRecord(), resolved: { "u-carol": "00u1carol" }, names: { "00u1carol": "u-carol" } });
    expect(await restoreHeldLogins(paths, "ws-test", workspace(), stateNow)).toBe(1);
    expect((await data()).heldOktaUserIds).toEqual({ "u-carol": "00u2carol" });
  });

  it("changes nothing for a stack never applied", async () => {
    const { paths, data, stateNow } = await stack(undefined);
    const before = await data();
    expect(await restoreHeldLogins(paths, "ws-test", workspace(), stateNow)).toBe(0);
    expect(await data()).toEqual(before);
  });
});
