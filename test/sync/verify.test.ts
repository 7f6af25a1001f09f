// The check after apply reads Okta's lists again while they catch up with
// the apply's writes (eventual consistency), on a fake clock: no real waits.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AccessReader } from "../../src/okta-api/org-objects.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { recheckUntilSettled, verifyAccounts, type Settle } from "../../src/sync/verify.ts";

/** A clock that only moves when slept on, and remembers every wait. */
function fakeClock(windowMs = 10_000): Settle & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    windowMs,
    firstWaitMs: 500,
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

/** A stack state, as Terraform stores it, holding one account's app, access group (members alice and bob) and assignments (the access group). */
function stateWith(accountId: string) {
  const one = (type: string, name: string, attributes: Record<string, unknown>) => ({ mode: "managed", type, name, instances: [{ index_key: accountId, attributes }] });
  return {
    version: 4,
    resources: [
      one("okta_app_bookmark", "app", { id: "0oa1" }),
      one("okta_group", "access", { id: "00gA" }),
      one("okta_group_memberships", "access_members", { users: ["00ualice", "00ubob"] }),
      one("okta_app_group_assignments", "assignments", { group: [{ id: "00gA" }] }),
    ],
  };
}

/** Terraform whose backend holds `state` (no local state file: the stack folder has no cdk.tf.json) and that records every other call. */
function fakeTerraform(state: unknown): Terraform & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    init: async () => void calls.push("init"),
    plan: async (_dir, options) => {
      calls.push(`plan ${options.targets?.join(" ") ?? ""}`);
      return { hasChanges: true };
    },
    // The refresh reads bob missing, as the lagging list shows it.
    showPlan: async () => ({
      resource_drift: [
        {
          mode: "managed",
          type: "okta_group_memberships",
          name: "access_members",
          index: "a-1",
          change: { actions: ["update"], before: { users: ["00ualice", "00ubob"] }, after: { users: ["00ualice"] } },
        },
      ],
    }),
    apply: async () => void calls.push("apply"),
    pullState: async () => state,
    showState: async () => ({}),
    forget: async () => void calls.push("forget"),
  };
}

/** Okta whose member list shows bob only from the `visibleFrom`-th read on (a lagging list). */
function laggingReader(visibleFrom: number): AccessReader & { memberReads: number } {
  const reader = {
    memberReads: 0,
    appGroups: async () => ["00gA"],
    groupMembers: async () => (++reader.memberReads >= visibleFrom ? ["00ualice", "00ubob"] : ["00ualice"]),
  };
  return reader;
}

const paths = { outDir: "/tmp/out", stateDir: "/tmp/state" };
const context = (reader: AccessReader, settle: Settle) => ({
  people: new Map([["00ubob", "u-bob"], ["00ualice", "u-alice"]]),
  labels: new Map([["a-1", "Contentzilla - Instagram"]]),
  reader,
  settle,
});

describe("recheckUntilSettled", () => {
  it("waits 0.5 s, 1 s, 2 s, ... and never past the window, then returns what still differs", async () => {
    const clock = fakeClock(10_000);
    const { problems, rounds } = await recheckUntilSettled(["a"], async () => new Map([["a", ["still wrong"]]]), clock);
    expect(clock.waits).toEqual([500, 1000, 2000, 4000, 2500]);
    expect(rounds).toBe(6);
    expect(problems.get("a")).toEqual(["still wrong"]);
  });

  it("reads once and never waits with a window of 0 (after a failed apply)", async () => {
    const clock = fakeClock(0);
    const { problems, rounds } = await recheckUntilSettled(["a"], async () => new Map([["a", ["wrong"]]]), clock);
    expect(rounds).toBe(1);
    expect(clock.waits).toEqual([]);
    expect(problems.get("a")).toEqual(["wrong"]);
  });

  it("reads again only the keys that differed, and stops as soon as none does", async () => {
    const clock = fakeClock();
    const asked: string[][] = [];
    const { problems, rounds } = await recheckUntilSettled(
      ["a", "b", "c"],
      async (keys) => {
        asked.push([...keys]);
        return new Map(keys.map((key) => [key, key === "b" && asked.length < 3 ? ["b lags"] : []]));
      },
      clock,
    );
    expect(asked).toEqual([["a", "b", "c"], ["b"], ["b"]]);
    expect(rounds).toBe(3);
    expect(problems.size).toBe(0);
    expect(clock.waits).toEqual([500, 1000]);
  });
});

describe("the check after apply", () => {
  it("passes once Okta's member list catches up within the window, writing nothing into the state", async () => {
    const clock = fakeClock();
    const reader = laggingReader(3);
    const terraform = fakeTerraform(stateWith("a-1"));
    const check = await verifyAccounts("ws", ["a-1"], terraform, paths, context(reader, clock));
    expect(check.problems).toEqual([]);
    expect(check.rounds).toBe(3);
    expect(check.requests).toBe(6);
    expect(reader.memberReads).toBe(3);
    expect(terraform.calls).toEqual([]);
  });

  it("reads a local state file directly: no Terraform process", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cerby-okta-verify-"));
    try {
      const local = { outDir: path.join(root, "cdktf.out"), stateDir: path.join(root, ".cerby-okta") };
      await mkdir(path.join(local.outDir, "stacks", "ws"), { recursive: true });
      await writeFile(path.join(local.outDir, "stacks", "ws", "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "../../../ws.tfstate" } } } }));
      await writeFile(path.join(root, "ws.tfstate"), JSON.stringify(stateWith("a-1")));
      const noProcess = async () => {
        throw new Error("no Terraform process expected");
      };
      const terraform = { ...fakeTerraform({}), pullState: noProcess, showState: noProcess };
      const reader = laggingReader(1);
      const check = await verifyAccounts("ws", ["a-1"], terraform, local, context(reader, fakeClock()));
      expect(check).toMatchObject({ problems: [], requests: 2, how: "direct reads" });
      expect(terraform.calls).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("without an API token, refreshes again while Okta lags, and records only the last refresh that still differed", async () => {
    const clock = fakeClock();
    const terraform = fakeTerraform(stateWith("a-1"));
    const check = await verifyAccounts("ws", ["a-1"], terraform, paths, { ...context(laggingReader(1), clock), reader: undefined });
    expect(check.how).toBe("Terraform refresh");
    expect(check.rounds).toBe(6);
    expect(check.problems).toEqual(['u-bob should see "Contentzilla - Instagram" (account a-1) but is not in its access group in Okta']);
    expect(terraform.calls.filter((call) => call.startsWith("plan"))).toHaveLength(6);
    expect(terraform.calls.at(-1)).toBe("apply");
    expect(terraform.calls.filter((call) => call === "apply")).toHaveLength(1);
  });

  it("fails naming the person when the list lags past the window, and records what Okta showed (a targeted refresh)", async () => {
    const clock = fakeClock();
    const reader = laggingReader(Number.POSITIVE_INFINITY);
    const terraform = fakeTerraform(stateWith("a-1"));
    const check = await verifyAccounts("ws", ["a-1"], terraform, paths, context(reader, clock));
    expect(check.problems).toEqual(['u-bob should see "Contentzilla - Instagram" (account a-1) but is not in its access group in Okta']);
    expect(check.rounds).toBe(6);
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(terraform.calls).toEqual([
      'plan okta_group_memberships.access_members["a-1"] okta_app_group_assignments.assignments["a-1"]',
      "apply",
      // The state now differs from the files: the apply record goes, so that the next plan runs Terraform.
      "forget",
    ]);
  });
});
