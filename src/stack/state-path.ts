// Where a stack's state is, by name: apart from backend.ts, which loads cdktf,
// so that commands reading these paths start without it (and can read the
// state of a stack that is not synthesized: a workspace whose switch is off).
import path from "node:path";
import type { BackendConfig } from "../config/project-config.ts";

/** `{workspaceId}` in a backend setting, replaced by the stack ID. */
export const forWorkspace = (template: string, workspaceId: string) => template.replaceAll("{workspaceId}", workspaceId);

/** Where a workspace's state lives by default: `terraform.<workspace id>.tfstate` in the project folder. */
export function defaultLocalStatePath(projectDir: string, workspaceId: string): string {
  return path.join(projectDir, `terraform.${workspaceId}.tfstate`);
}

/** Where the local backend keeps a stack's state (`backend.path`, or the default): absolute, whatever folder a command runs from. */
export function localStatePath(projectDir: string, backend: BackendConfig | undefined, workspaceId: string): string {
  return backend?.type === "local" && backend.path ? path.resolve(projectDir, forWorkspace(backend.path, workspaceId)) : defaultLocalStatePath(projectDir, workspaceId);
}

/** The local state file of a stack under this backend, or undefined for a remote backend. */
export function localStateFile(backend: BackendConfig | undefined, projectDir: string, stackId: string): string | undefined {
  return backend === undefined || backend.type === "local" ? localStatePath(projectDir, backend, stackId) : undefined;
}

/** Where a stack's state lives, as a person would look for it: a file path, or the bucket and key. */
export function stateLocation(backend: BackendConfig | undefined, projectDir: string, stackId: string): string {
  switch (backend?.type) {
    case undefined:
    case "local":
      return localStatePath(projectDir, backend, stackId);
    case "s3":
      return `s3://${backend.bucket}/${forWorkspace(backend.key, stackId)}`;
    case "gcs":
      return `gs://${backend.bucket}/${forWorkspace(backend.prefix, stackId)}/default.tfstate`;
    case "cloud":
      return `${backend.hostname ?? "app.terraform.io"}/${backend.organization}/${forWorkspace(backend.workspaceName, stackId)}`;
  }
}
