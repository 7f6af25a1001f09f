// What `plan`, `synth`, `validate` and `preview` say about shard counts: a
// workspace sharded automatically at its first sync, and a workspace whose
// shards are far from the advised size, with what moving them would cost and
// the command that does it.
import { minutesAtRateLimits, reshardCalls } from "../domain/api-cost.ts";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";
import { movedAccounts, RECOMMENDED_SHARD_SIZE, reshardAdvice, shardOf, shardStackId, type ShardChoice } from "../stack/shards.ts";
import { describeCalls } from "./format-plan.ts";
import { formatMinutes } from "./format-synth.ts";
import { thousands } from "../text/numbers.ts";

const count = (n: number, what: string) => `${thousands(n)} ${what}${n === 1 ? "" : "s"}`;
const SIZE = `${RECOMMENDED_SHARD_SIZE} to ${RECOMMENDED_SHARD_SIZE * 2} accounts each`;

/**
 * One line per workspace worth a word. `recordedIn`: the file the first-sync
 * counts were just written to (by `plan`); absent, they are announced as what
 * the first `plan` will do.
 */
export function shardNotes(choices: readonly ShardChoice[], workspaces: readonly DesiredWorkspace[], recordedIn?: string): string[] {
  const notes: string[] = [];
  for (const choice of choices) {
    const accounts = count(choice.accounts, "account");
    if (choice.source === "advised") {
      if (choice.count <= 1) continue;
      notes.push(
        recordedIn
          ? `${choice.workspaceId}: ${accounts}, first sync: sharded into ${choice.count} stacks (advised, ${SIZE}); recorded in ${recordedIn} \`shards:\`: commit it, so that every machine and CI runner keeps this count`
          : `${choice.workspaceId}: ${accounts}, never synced: its first \`cerby-okta plan\` shards it into ${choice.count} stacks (advised, ${SIZE}) and records that in cerby-okta.yaml \`shards:\``,
      );
      continue;
    }
    const advised = reshardAdvice(choice);
    const workspace = workspaces.find((candidate) => candidate.id === choice.workspaceId);
    if (advised === undefined || !workspace) continue;
    const moved = movedAccounts(workspace.chiclets, choice.count, advised);
    // The stacks that receive accounts: each plans its imports and applies them.
    const touched = new Set(moved.map((chiclet) => (advised <= 1 ? choice.workspaceId : shardStackId(choice.workspaceId, shardOf(chiclet.accountId, advised))))).size;
    const calls = reshardCalls(moved, touched);
    const capacity = workspace.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity;
    notes.push(
      `${choice.workspaceId}: ${accounts} in ${count(choice.count, "stack")} (${choice.source === "configured" ? "`shards:`" : "as last applied"}); ${advised} advised (${SIZE}). ` +
        `Moving ${count(moved.length, "account")} costs about ${describeCalls(calls)}, at least ${formatMinutes(minutesAtRateLimits(calls, capacity))} at ${capacity}% of Okta's rate limits ` +
        `(no app is created or deleted): \`cerby-okta reshard --stack ${choice.workspaceId} --to ${advised}\`, then plan and apply`,
    );
  }
  return notes;
}
