// `startCerbyEmulator()`: the Cerby API emulator seeded from a project's
// workspaces (as loaded by the repository's own readers), one workspace per
// `/<workspace id>/api/v1/`. See harness/README.md.
import type { WorkspaceInput } from "../../src/domain/model.ts";
import { CerbyEmulator } from "./server.ts";
import { dataFromWorkspace, ownedAccountIds } from "./resources.ts";

export * from "./server.ts";
export * from "./resources.ts";

/** The key the sandbox offers for a workspace, and how much of it that key sees. */
export interface OfferedKey {
  readonly workspace: string;
  readonly baseUrl: string;
  readonly key: string;
  /** The Cerby user who created it. */
  readonly creator: string;
  readonly sees: number;
  readonly accounts: number;
}

/**
 * Starts the emulator on 127.0.0.1 with every workspace, and makes one key per
 * workspace for the user who owns the most accounts (a workspace owner first
 * on a tie): the best a team could pick, since a key sees only what its
 * creator owns. `keys` picks other creators: `{ "ws-acme": "u-bob" }`.
 */
export async function startCerbyEmulator(options: {
  workspaces: readonly WorkspaceInput[];
  port?: number;
  keys?: Readonly<Record<string, string>>;
}): Promise<{ emulator: CerbyEmulator; offered: OfferedKey[] }> {
  const emulator = new CerbyEmulator(options.workspaces.map((workspace) => ({ id: workspace.settings.id, data: dataFromWorkspace(workspace) })));
  await emulator.start(options.port ?? 0);
  const offered = options.workspaces.map((workspace): OfferedKey => {
    const id = workspace.settings.id;
    const data = emulator.workspaces.get(id)!.data;
    const creator = options.keys?.[id] ?? bestCreator(workspace);
    return {
      workspace: id,
      baseUrl: emulator.baseUrlOf(id),
      key: emulator.addKey(id, creator),
      creator,
      sees: ownedAccountIds(data, creator).size,
      accounts: data.accounts.length,
    };
  });
  return { emulator, offered };
}

function bestCreator(workspace: WorkspaceInput): string {
  const data = dataFromWorkspace(workspace);
  const ranked = workspace.users
    .map((user) => ({ id: user.id, owns: ownedAccountIds(data, user.id).size, owner: user.workspaceRole === "owner" ? 0 : 1 }))
    .sort((a, b) => b.owns - a.owns || a.owner - b.owner || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (ranked.length === 0) throw new Error(`workspace ${workspace.settings.id} has no users: nobody could have created an API key`);
  return ranked[0]!.id;
}
