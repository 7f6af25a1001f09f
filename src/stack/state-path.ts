// Where a stack's state is, by name: apart from backend.ts, which loads cdktf,
// so that commands reading these paths start without it.
import path from "node:path";
import type { BackendConfig } from "../config/project-config.ts";

/** `{workspaceId}` in a backend setting, replaced by the stack ID. */
export const forWorkspace = (template: string, workspaceId: string) => template.replaceAll("{workspaceId}", workspaceId);

/** Where a workspace's state lives by default: `terraform.<workspace id>.tfstate` in the project folder. */
export function defaultLocalStatePath(projectDir: string, workspaceId: string): string {
  return path.join(projectDir, `terraform.${workspaceId}.tfstate`);
}

/** Where the local backend keeps a stack's state (`backend.path`, or the default). */
export function localStatePath(projectDir: string, backend: BackendConfig | undefined, workspaceId: string): string {
  return backend?.type === "local" && backend.path ? path.resolve(projectDir, forWorkspace(backend.path, workspaceId)) : defaultLocalStatePath(projectDir, workspaceId);
}
