// R9 for stacks applied by `cdktf deploy`, which records nothing of its own:
// `cerby-okta status --from-state` reads each stack's Terraform state (no Okta
// request) and, when it changed since last read, marks as synced now every
// account whose app the state holds under the label the workspace wants.
import { APP, stateInstances } from "../stack/names.ts";
import type { StackUnit } from "../stack/shards.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { Log } from "./plan.ts";
import { stackDir, stackFingerprint, type SyncPaths } from "./saved-plans.ts";
import { readStatus, writeStatus, type AccountStatus } from "./status.ts";

export interface StateReading {
  readonly stack: string;
  /** Whether the state changed since it was last read or applied here. */
  readonly changed: boolean;
  /** Accounts whose app the state holds under the wanted label. */
  readonly inStep: number;
  /** Accounts of the workspace the state does not hold that way yet. */
  readonly waiting: number;
}

type State = { lineage?: string; serial?: number };

export async function recordFromStates(stacks: readonly StackUnit[], terraform: Terraform, paths: SyncPaths, now: Date, log: Log): Promise<StateReading[]> {
  const readings: StateReading[] = [];
  for (const unit of stacks) {
    const dir = stackDir(paths, unit.id);
    log(`${unit.id}: reading the stack's state (no Okta request)`);
    await terraform.init(dir);
    const state = (await terraform.pullState(dir)) as State;
    const serial = `${state.lineage ?? ""}/${state.serial ?? 0}`;
    const labels = new Map(stateInstances(state, APP).map(({ key, attributes }) => [key, attributes.label]));
    const inStep = unit.chiclets.filter((chiclet) => labels.get(chiclet.accountId) === chiclet.label);
    const reading = { stack: unit.id, inStep: inStep.length, waiting: unit.chiclets.length - inStep.length };
    const record = await readStatus(paths.stateDir, unit.id);
    // `cerby-okta apply` recorded exactly what the stack is now: its times are right, keep them.
    const appliedHere = record?.stateSerial === undefined && record?.appliedDigest === (await stackFingerprint(paths, unit.id)).settled;
    if (record?.stateSerial === serial || appliedHere) {
      if (appliedHere) await writeStatus(paths.stateDir, { ...record!, stateSerial: serial });
      readings.push({ ...reading, changed: false });
      continue;
    }
    const accounts: Record<string, AccountStatus> = Object.create(null);
    for (const chiclet of unit.chiclets) {
      const earlier = record?.accounts[chiclet.accountId];
      if (labels.get(chiclet.accountId) === chiclet.label) {
        accounts[chiclet.accountId] = { label: chiclet.label, extendedBy: chiclet.extendedBy, extendedAt: chiclet.extendedAt, lastSyncedAt: now.toISOString() };
      } else if (earlier) accounts[chiclet.accountId] = earlier;
    }
    // No applied digest: the next `plan` runs Terraform for this stack, which says whether anything is left to do.
    await writeStatus(paths.stateDir, { workspaceId: unit.workspaceId, stack: unit.id, shards: unit.shard?.count ?? 1, stateSerial: serial, accounts });
    readings.push({ ...reading, changed: true });
  }
  return readings;
}
