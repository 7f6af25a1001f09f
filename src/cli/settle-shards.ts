// After the pipeline chose each workspace's shard count: `plan` (and the
// commands that plan) record the counts chosen at a first sync in
// cerby-okta.yaml, so that they never change under a workspace's states; every
// command that synthesizes says what it chose and advises on the rest.
import { recordShardCounts } from "../config/project-config.ts";
import type { PipelineRun } from "../pipeline/pipeline.ts";
import { shardNotes } from "./format-shards.ts";
import { logProgress, type CommandContext } from "./terraform-options.ts";

export async function settleShards(context: CommandContext, run: Pick<PipelineRun, "shardChoices" | "desired">, options: { record: boolean }): Promise<void> {
  const chosen = run.shardChoices.filter((choice) => choice.source === "advised" && choice.count > 1);
  const recordedIn = options.record && chosen.length > 0 ? await recordShardCounts(context.project, new Map(chosen.map((choice) => [choice.workspaceId, choice.count]))) : undefined;
  for (const note of shardNotes(run.shardChoices, run.desired.workspaces, recordedIn)) logProgress(note);
}
