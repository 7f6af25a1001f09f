// What one account's change costs in Okta API requests after a first sync,
// measured through the real CLI, Terraform, the stand-in provider and the
// emulator. Used by a test (small sizes) and bench/incremental-bench.ts.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_OKTA_PROVIDER_VERSION, type OktaProviderVersion } from "../src/config/okta-provider-version.ts";
import { changeRunCalls, estimateWorkspaceCost, type Calls, type WorkspaceCost } from "../src/domain/api-cost.ts";
import { SyncHarness } from "./sync-harness.ts";

/** The workspace ID of `costWorkspace`. */
export const COST_WORKSPACE_ID = "ws-cost";

/** Five people with known Okta IDs; one IdP team sees every account, one direct viewer every other one. */
export function costWorkspace(accounts: number) {
  const users = [0, 1, 2, 3, 4].map((index) => ({
    id: `u-${index}`,
    email: `user${index}@bench.example`,
    oktaUserId: `00ubench${index}`,
    workspaceRole: "user",
  }));
  return {
    version: 1,
    workspace: { id: COST_WORKSPACE_ID, name: "Cost", extendedAccountAccess: true, okta: { orgName: "bench", baseUrl: "okta.com" } },
    users,
    teams: [{ id: "t-idp", name: "Everyone in marketing", oktaGroupId: "00gbenchidp", members: ["u-0"] }],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: `a-${index}`,
      name: `Brand ${index}`,
      app: "Instagram",
      grants: [{ team: "t-idp", role: "owner" }, ...(index % 2 === 0 ? [{ user: "u-1", role: "collaborator" }] : [])],
      okta: { extendedBy: "u-0", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}

/** The one-account change measured: account a-3 is relabelled and gets a direct viewer (u-2). */
export function changeOneAccount(document: ReturnType<typeof costWorkspace>): void {
  document.accounts[3]!.grants.push({ user: "u-2", role: "collaborator" });
  document.accounts[3]!.name = "Brand three";
}

/** What the plan of that change must say. */
export const ONE_ACCOUNT_CHANGE_LINES = ['~ a-3: relabel "Brand 3 - Instagram" -> "Brand three - Instagram"', '+ user2@bench.example (u-2) sees "Brand three - Instagram"'];

export interface ChangeCost {
  /** Requests of the first sync (plan, apply and the check after it), by Okta bucket. */
  readonly firstSync: Record<string, number>;
  /** Requests of a full refresh (`reconcile`, nothing to change), by Okta bucket. */
  readonly fullRefresh: Record<string, number>;
  readonly total: number;
  readonly byBucket: Record<string, number>;
  /** Requests by `METHOD route`. */
  readonly byRoute: Record<string, number>;
  /** Seconds the first sync took, for the record. */
  readonly firstSyncSeconds: number;
  /** What src/domain/api-cost.ts predicts for the workspace, by bucket. */
  readonly estimate: WorkspaceCost;
  /** What it predicts for the one-account change (plan, apply and cerby-okta's checks), by bucket. */
  readonly changeEstimate: Calls;
}

/** Requests one account's change costs (plan and apply), after a first sync of `accounts`, with the okta/okta release given (default 6.12.0). */
export async function costOfOneChange(accounts: number, providerVersion?: OktaProviderVersion): Promise<ChangeCost> {
  const release = providerVersion ?? DEFAULT_OKTA_PROVIDER_VERSION;
  const document = costWorkspace(accounts);
  const harness = await SyncHarness.start(
    async (dir) => {
      await mkdir(path.join(dir, "cost"), { recursive: true });
      await writeFile(path.join(dir, "cost", "snapshot.json"), JSON.stringify(document));
    },
    { providerVersion },
  );
  try {
    const started = Date.now();
    harness.emulator.resetRequestLog();
    await harness.sync();
    const firstSyncSeconds = (Date.now() - started) / 1000;
    const firstSync = harness.emulator.countsByBucket();
    const desired = (await harness.desiredState()).workspaces[0]!;
    const estimate = estimateWorkspaceCost(desired, { release });
    // a-3 before the change: its direct viewers and IdP team groups.
    const changed = desired.chiclets.find((chiclet) => chiclet.accountId === "a-3")!;
    const shape = { viewers: changed.users.length, teams: changed.groups.length };
    const changeEstimate = changeRunCalls([{ change: "relabel", shape }, { change: "viewerAdded", shape }], release);
    harness.emulator.resetRequestLog();
    const reconcile = await harness.cli(["reconcile"]);
    if (reconcile.exitCode !== 0) throw new Error(`reconcile found changes or failed (${reconcile.exitCode}):\n${reconcile.stdout}${reconcile.stderr}`);
    const fullRefresh = harness.emulator.countsByBucket();
    harness.emulator.resetRequestLog();
    changeOneAccount(document);
    await harness.writeFile("cost/snapshot.json", JSON.stringify(document));
    const { plan } = await harness.sync();
    for (const expected of ONE_ACCOUNT_CHANGE_LINES) {
      if (!plan.stdout.includes(expected)) throw new Error(`the plan does not say ${expected}:\n${plan.stdout}`);
    }
    return {
      firstSync,
      fullRefresh,
      total: harness.emulator.requests.length,
      byBucket: harness.emulator.countsByBucket(),
      byRoute: harness.emulator.countsByRoute(),
      firstSyncSeconds,
      estimate,
      changeEstimate,
    };
  } finally {
    await harness.stop();
  }
}

