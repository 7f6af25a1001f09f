// `cerby-okta shards`: the stacks the workspaces are split into, and which of
// them need a plan (their state does not hold what their files ask, as the
// last apply recorded it in the state: the same answer on every machine). `--json` feeds a CI matrix: one job per stack to plan.
import type { Command } from "commander";
import { synthesize } from "../../pipeline/pipeline.ts";
import { suggestedShardCount } from "../../stack/shards.ts";
import { changesSinceApply, selectStacks } from "../../sync/plan.ts";
import { stacksLeftBehind } from "../../sync/reshard.ts";
import { formatTable } from "../format-preview.ts";
import { addJsonOptions, emitJson, writeHuman, type JsonOutputOptions } from "../json-output.ts";
import { interruptSignal } from "../interrupt.ts";
import { settleShards } from "../settle-shards.ts";
import { addOutOption, commandContext, DEFAULT_STATE_DIR, pipelineOptions, terraformFor, type PathOptions } from "../terraform-options.ts";
import { workspacesOption } from "../workspaces-option.ts";

interface ShardsOptions extends PathOptions, JsonOutputOptions {
  stack?: string[];
  changed?: boolean;
}

export function register(program: Command): void {
  const command = addOutOption(
    program
      .command("shards")
      .description(
        "synthesizes, then lists each stack (a workspace, or one shard of it) with its accounts and whether its state holds what its files ask, as its last apply recorded it " +
          "(what `plan` would run Terraform for); --json for a CI matrix",
      )
      .addOption(workspacesOption()),
  )
    .option("--state-dir <dir>", `where this machine's records of its applies (the shard counts reshard reads) are kept (default: ${DEFAULT_STATE_DIR} in the project folder)`)
    .option("--stack <id...>", "only these workspaces, or stacks")
    .option("--changed", "only the stacks that need a plan");
  addJsonOptions(
    command,
    "the stacks, for a CI matrix ({ version, stacks: [{ stack, workspace, shard, shards, accounts, people, changed, digest }], " +
      "workspaces: [{ workspace, accounts, shards, shardSource (configured | in use | advised), suggestedShards, reshardNeeded }] })",
  ).action(async (options: ShardsOptions) => {
      const context = await commandContext(options);
      const settings = pipelineOptions(context);
      const run = await synthesize(settings);
      const stacks = selectStacks(run.desired, run.stacks, options.stack);
      const unmoved = await stacksLeftBehind(context.paths.stateDir, stacks);
      // Reads states in remote backends (`terraform state pull`); local ones are read as files.
      const terraform = terraformFor({}, interruptSignal(), context);
      // One Terraform process at a time: a remote backend's read starts Terraform.
      const changes = await changesSinceApply(context.paths, stacks, terraform, 1);
      const rows = stacks.map((stack, position) => ({
        stack: stack.id,
        workspace: stack.workspaceId,
        shard: stack.shard?.index ?? 0,
        shards: stack.shard?.count ?? 1,
        accounts: stack.chiclets.length,
        people: stack.people.length,
        changed: changes[position]!.changed,
        digest: changes[position]!.fingerprint.settled,
      }));
      const listed = options.changed ? rows.filter((row) => row.changed) : rows;
      const workspaces = [...new Set(stacks.map((stack) => stack.workspaceId))].map((id) => {
        const accounts = rows.filter((row) => row.workspace === id).reduce((total, row) => total + row.accounts, 0);
        const shards = rows.find((row) => row.workspace === id)!.shards;
        // `advised`: never synced, sharded automatically; `plan` records the count in cerby-okta.yaml.
        const shardSource = run.shardChoices.find((choice) => choice.workspaceId === id)?.source ?? "configured";
        return { workspace: id, accounts, shards, shardSource, suggestedShards: suggestedShardCount(accounts), reshardNeeded: unmoved.has(id) };
      });
      await emitJson(options, { version: 1, stacks: listed, workspaces });
      writeHuman(
        options,
        `${formatTable(
          ["STACK", "WORKSPACE", "SHARD", "ACCOUNTS", "PEOPLE", "NEEDS A PLAN"],
          listed.map((row) => [row.stack, row.workspace, `${row.shard + 1}/${row.shards}`, String(row.accounts), String(row.people), row.changed ? "yes" : "no"]),
        )}\n`,
      );
      const synced = new Set(run.stacks.map((stack) => stack.workspaceId));
      for (const id of settings.shardCounts?.keys() ?? []) {
        if (!synced.has(id)) process.stderr.write(`warning: ${context.project.configFile}: shards: names ${JSON.stringify(id)}, which is no synced workspace\n`);
      }
      for (const workspace of workspaces) {
        if (workspace.reshardNeeded) writeHuman(options, `${workspace.workspace}: its shard count changed since its last apply: run \`cerby-okta reshard\` before planning\n`);
      }
      // The same words as plan, validate, preview and synth: automatic counts, and advice with its cost.
      await settleShards(context, run, { record: false });
    });
}

