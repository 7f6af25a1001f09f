// Moving every stack's state to the backend cerby-okta.yaml now names (for
// example from local files to S3 for CI). Terraform can copy a state between
// backends (`init -migrate-state`), but only from the folder that was
// initialized with the old one, and a copy that lost resources would make the
// next plan create duplicate apps: so the state is counted before and after,
// and the move fails loudly unless every resource arrived.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ExternalError, UsageError } from "../errors.ts";
import { APP, isResource } from "../stack/names.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { Log } from "./plan.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";

interface StateSummary {
  /** Managed resource instances. */
  readonly resources: number;
  /** Account IDs of the apps in the state. */
  readonly apps: readonly string[];
}

export interface MigrationResult {
  readonly stack: string;
  readonly from: string;
  readonly to: string;
  readonly resources: number;
  readonly apps: number;
}

function summarize(state: unknown): StateSummary {
  const resources = (state as { resources?: { mode?: string; type?: string; name?: string; instances?: { index_key?: unknown }[] }[] }).resources ?? [];
  let count = 0;
  const apps: string[] = [];
  for (const resource of resources) {
    if (resource.mode !== "managed") continue;
    count += resource.instances?.length ?? 0;
    if (isResource(resource, APP)) for (const instance of resource.instances ?? []) apps.push(String(instance.index_key));
  }
  return { resources: count, apps: apps.sort() };
}

/** The backend `.terraform/` records for a stack folder: what its state was last initialized with. */
async function initializedBackend(dir: string): Promise<string | undefined> {
  try {
    const recorded = JSON.parse(await readFile(path.join(dir, ".terraform", "terraform.tfstate"), "utf8")) as { backend?: { type?: string; config?: Record<string, unknown> } };
    const type = recorded.backend?.type;
    if (!type) return undefined;
    const where = recorded.backend?.config?.path ?? recorded.backend?.config?.key ?? recorded.backend?.config?.prefix ?? "";
    return `${type}${where ? ` ${String(where)}` : ""}`;
  } catch {
    return undefined;
  }
}

function describeBackend(options: StackOptions, stack: string): string {
  const backend = options.backend;
  if (!backend) return `local (default, in ${options.projectDir ?? "the project folder"})`;
  return `${backend.type}${"path" in backend && backend.path ? ` ${backend.path}` : "key" in backend ? ` ${backend.key}` : "prefix" in backend ? ` ${backend.prefix}` : ""}`.replaceAll("{workspaceId}", stack);
}

export async function migrateStates(
  stacks: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  options: {
    readonly stackOptions: StackOptions;
    /** Writes the stacks with their new backend (the pipeline, allowed to change backends). */
    readonly resynthesize: () => Promise<unknown>;
    readonly log: Log;
  },
): Promise<MigrationResult[]> {
  // Before anything is re-synthesized: what each stack's state holds now, read through its old backend.
  const before = new Map<string, { summary: StateSummary; from: string }>();
  for (const stack of stacks) {
    const dir = stackDir(paths, stack);
    const from = await initializedBackend(dir);
    if (!from) {
      throw new UsageError(
        `stack ${stack} was never initialized in ${dir}, so there is no old backend to move its state from on this machine: ` +
          "run migrate-state where the last plan or apply ran (with the old cerby-okta.yaml there), or copy the state with Terraform yourself",
      );
    }
    before.set(stack, { summary: summarize(await terraform.pullState(dir)), from });
  }
  await options.resynthesize();
  const results: MigrationResult[] = [];
  for (const stack of stacks) {
    const dir = stackDir(paths, stack);
    const { summary, from } = before.get(stack)!;
    const to = describeBackend(options.stackOptions, stack);
    options.log(`${stack}: moving ${summary.resources} resources (${summary.apps.length} apps) from ${from} to ${to}`);
    await terraform.init(dir, { migrateState: true });
    const after = summarize(await terraform.pullState(dir));
    const missing = summary.apps.filter((app) => !after.apps.includes(app));
    if (after.resources < summary.resources || missing.length > 0) {
      throw new ExternalError(
        `${stack}: the state in ${to} holds ${after.resources} resources and ${after.apps.length} apps, but the old one held ${summary.resources} and ${summary.apps.length}` +
          `${missing.length > 0 ? ` (missing apps: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""})` : ""}: ` +
          "do not plan or apply (it would create those apps again); the old state is untouched, check the new backend and run migrate-state again",
      );
    }
    results.push({ stack, from, to, resources: after.resources, apps: after.apps.length });
  }
  return results;
}
