// After the pipeline chose each workspace's shard count: `plan` (and the
// commands that plan) record the counts chosen at a first sync in
// cerby-okta.yaml, so that they never change under a workspace's states; every
// command that synthesizes says what it chose and advises on the rest.
// Kept apart from terraform-options.ts: `validate` and `preview` start
// without loading the Terraform commands' modules.
import { recordShardCounts, type Project } from "../config/project-config.ts";
import { requireWorkspacesDir, resolveProject } from "../config/project.ts";
import { decide, type PipelineOptions, type PipelineRun } from "../pipeline/pipeline.ts";
import { shardsInUse } from "../sync/shard-history.ts";
import { shardNotes } from "./format-shards.ts";

export async function settleShards(context: { readonly project: Project }, run: Pick<PipelineRun, "shardChoices" | "desired">, options: { record: boolean }): Promise<void> {
  const chosen = run.shardChoices.filter((choice) => choice.source === "advised" && choice.count > 1);
  const recordedIn = options.record && chosen.length > 0 ? await recordShardCounts(context.project, new Map(chosen.map((choice) => [choice.workspaceId, choice.count]))) : undefined;
  // Messages, not data: stderr.
  for (const note of shardNotes(run.shardChoices, run.desired.workspaces, recordedIn)) process.stderr.write(`${note}\n`);
}

/**
 * `validate` and `preview`: the pipeline up to the stacks, with the project's
 * shard counts resolved as every command resolves them (src/config/project.ts).
 * Then `settleShards({ project }, run, { record: false })`.
 */
export async function decideProject(workspacesFlag: string | undefined): Promise<{ project: Project; run: PipelineRun }> {
  const resolved = await resolveProject({ workspaces: workspacesFlag });
  requireWorkspacesDir(resolved);
  const run = await decide(resolved.workspacesDir, resolved.shardCounts, shardHistory(resolved.project, resolved.stateDir));
  return { project: resolved.project, run };
}

/** The pipeline's `shardsInUse`: the shard counts the project's workspaces were applied with. */
export function shardHistory(project: Project, stateDir: string): NonNullable<PipelineOptions["shardsInUse"]> {
  return (workspaceIds) => shardsInUse(stateDir, { projectDir: project.dir, backend: project.config.backend, workspaceIds });
}
