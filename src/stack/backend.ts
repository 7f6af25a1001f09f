// The Terraform backend of a workspace stack, from the project configuration.
import { CloudBackend, GcsBackend, LocalBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../config/project-config.ts";
import type { ResolvedProject } from "../config/project.ts";
import { readAdoptions } from "./adoptions.ts";
import type { StackOptions } from "./workspace-stack.ts";
import { forWorkspace, localStatePath } from "./state-path.ts";

/** The stack settings of a resolved project, the same for `synth`, `plan`, the watcher and `cdktf synth`: its backend, its okta/okta release, and the adoptions waiting in its state folder. */
export async function stackOptionsFor(resolved: ResolvedProject): Promise<StackOptions> {
  return { backend: resolved.backend, projectDir: resolved.project.dir, adoptions: await readAdoptions(resolved.stateDir), oktaProviderVersion: resolved.oktaProviderVersion };
}

/**
 * Local state paths are absolute, resolved against the project folder (the
 * one holding cerby-okta.yaml): the same state whatever folder a command runs
 * from, and never inside a stack folder that the next synth replaces.
 */
export function addBackend(stack: TerraformStack, workspaceId: string, backend: BackendConfig | undefined, projectDir = process.cwd()): void {
  switch (backend?.type) {
    case undefined:
    case "local":
      new LocalBackend(stack, { path: localStatePath(projectDir, backend, workspaceId) });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: forWorkspace(backend.key, workspaceId),
        region: backend.region,
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
        ...(backend.roleArn ? { assumeRole: { roleArn: backend.roleArn } } : {}),
      });
      // Not in cdktf 0.21's S3 types; a Terraform 1.10+ setting.
      if (backend.useLockfile) s3.addOverride("use_lockfile", true);
      return;
    }
    case "gcs":
      new GcsBackend(stack, { bucket: backend.bucket, prefix: forWorkspace(backend.prefix, workspaceId) });
      return;
    case "cloud":
      new CloudBackend(stack, {
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(forWorkspace(backend.workspaceName, workspaceId)),
        ...(backend.hostname ? { hostname: backend.hostname } : {}),
      });
      return;
  }
}
