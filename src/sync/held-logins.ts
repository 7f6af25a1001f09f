// A login that stops matching anyone in Okta keeps the Okta user it last
// stood for (people-record.ts `resolved`, the data file's heldOktaUserIds).
// The people record lives on the machine that plans; every apply also leaves
// in the state what each login stood for (APPLY_DONE's RESOLVED_LOGINS,
// src/stack/apply-record.ts). Before a stack is planned, that is taken into
// the record, over what the record says: so a CI runner that never saw the
// login resolve holds it too, and every machine sharing the backend holds
// the same user, the one Okta has now.
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { APPLY_DONE, RESOLVED_LOGINS } from "../stack/names.ts";
import { emptyMap } from "../stack/stack-data.ts";
import { settleStackData } from "./okta-checks.ts";
import { readPeopleRecord, writePeopleRecord } from "./people-record.ts";
import type { SyncPaths } from "./saved-plans.ts";
import { applyRecord } from "./state-status.ts";

/** Cerby user ID -> Okta user ID, as the state's last finished apply recorded them; empty for a state without. */
export function resolvedLoginsInState(state: unknown): Record<string, string> {
  const logins = applyRecord(state, APPLY_DONE)?.[RESOLVED_LOGINS];
  const resolved = emptyMap<string>();
  if (logins === null || typeof logins !== "object") return resolved;
  for (const [cerbyId, oktaId] of Object.entries(logins)) if (typeof oktaId === "string" && oktaId !== "") resolved[cerbyId] = oktaId;
  return resolved;
}

/**
 * Takes what the stack's state says its looked-up logins stood for into the
 * people record (the state wins), and rewrites the data file from the records
 * when that changed anything. Returns how many logins it set. `stateNow`: the
 * stack's state as it is now (src/sync/stack-states.ts `currentState`).
 */
export async function restoreHeldLogins(paths: SyncPaths, stack: string, workspace: DesiredWorkspace, stateNow: () => Promise<unknown>): Promise<number> {
  const fromState = resolvedLoginsInState(await stateNow());
  const record = await readPeopleRecord(paths.stateDir, stack);
  let changed = 0;
  for (const [cerbyId, oktaId] of Object.entries(fromState)) {
    if (record.resolved[cerbyId] !== oktaId) {
      record.resolved[cerbyId] = oktaId;
      changed++;
    }
    if (!Object.hasOwn(record.names, oktaId)) record.names[oktaId] = cerbyId;
  }
  if (changed === 0) return 0;
  await writePeopleRecord(paths.stateDir, stack, record);
  await settleStackData(paths, stack, workspace);
  return changed;
}
