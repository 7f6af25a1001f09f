// Where a stack's local state file is, without loading cdktf: for reading the
// state of a stack that is not synthesized (a workspace whose switch is off).
import path from "node:path";
import type { BackendConfig } from "../config/project-config.ts";

/** The local state file of a stack under this backend, or undefined for a remote backend. */
export function localStateFile(backend: BackendConfig | undefined, projectDir: string, stackId: string): string | undefined {
  if (backend === undefined || (backend.type === "local" && !backend.path)) return path.join(projectDir, `terraform.${stackId}.tfstate`);
  if (backend.type === "local" && backend.path) return path.resolve(projectDir, backend.path.replaceAll("{workspaceId}", stackId));
  return undefined;
}
