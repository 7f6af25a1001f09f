// Which shard count each workspace is in use with, so that a workspace that
// never synced can be sharded automatically (its state is empty: nothing
// moves) and one that did keeps its count until `reshard` moves it. Read
// without Terraform: from the status records of its applies and, for the
// local backend, from its unsharded stack's state file (a `cdktf deploy`
// writes no record).
import { readFile } from "node:fs/promises";
import { localStatePath } from "../stack/state-path.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { readStatusRecords } from "./status.ts";

/** Workspace ID -> the distinct shard counts its applied stacks record (normally one). */
export async function shardsInUse(stateDir: string, local?: { projectDir: string; backend: StackOptions["backend"]; workspaceIds: readonly string[] }): Promise<Map<string, number[]>> {
  const counts = new Map<string, Set<number>>();
  const add = (workspaceId: string, count: number) => counts.set(workspaceId, (counts.get(workspaceId) ?? new Set()).add(count));
  for (const record of await readStatusRecords(stateDir)) add(record.workspaceId, record.shards ?? 1);
  if (local && (local.backend === undefined || local.backend.type === "local")) {
    for (const workspaceId of local.workspaceIds) {
      if (!counts.has(workspaceId) && (await holdsResources(localStatePath(local.projectDir, local.backend, workspaceId)))) add(workspaceId, 1);
    }
  }
  return new Map([...counts].map(([workspaceId, set]) => [workspaceId, [...set].sort((a, b) => a - b)]));
}

/** Whether a local state file exists and holds any resource (`{"resources": [...]}`). */
async function holdsResources(file: string): Promise<boolean> {
  try {
    const state = JSON.parse(await readFile(file, "utf8")) as { resources?: unknown[] };
    return Array.isArray(state.resources) && state.resources.length > 0;
  } catch {
    return false;
  }
}
