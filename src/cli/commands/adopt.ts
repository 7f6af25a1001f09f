// `cerby-okta adopt`: see src/sync/adopt.ts.
import { ensureFolder } from "../../files/ensure-folder.ts";
import type { Command } from "commander";
import path from "node:path";
import { importCalls, addCalls } from "../../domain/api-cost.ts";
import { DEFAULT_RATE_LIMIT } from "../../domain/model.ts";
import { UsageError } from "../../errors.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { ACCESS_GROUP, APP, stateInstances } from "../../stack/names.ts";
import { buildStackData } from "../../stack/stack-data.ts";
import { adoptionFile, matchExisting, mergeAdoption, type Held } from "../../sync/adopt.ts";
import { accessGroupPrefix, dropStaleAdoptions } from "../../sync/create-check.ts";
import { selectStacks } from "../../sync/plan.ts";
import type { Holder } from "../../sync/stack-states.ts";
import { describeCost } from "../format-synth.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { addOktaUrlOption, existingObjectsReader, switchedOffStacks } from "../okta-options.ts";
import { addTerraformOptions, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";

export function register(program: Command): void {
  addWaitOption(addOktaUrlOption(
    addTerraformOptions(
      program
        .command("adopt")
        .description(
          "take apps (same label, compared as R4 compares labels) and access groups (same name) that already exist in Okta under management instead of creating duplicates, " +
            "for every account whose app or group the stack's state does not hold; never an object another stack's state holds. " +
            "Writes what to import for the next `plan`, which shows it; changes nothing in Okta (credentials from OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY, or OKTA_API_TOKEN). " +
            "Costs 1 request per 200 bookmark apps of the org (/api/v1/apps) and per 200 access groups; the plan that imports then reads each adopted account (printed before it starts)",
        ),
    ),
  )).action(async (options: TerraformCommandOptions & WaitOption & { oktaUrl?: string }) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "adopt", options, signal);
    const run = await synthesize(pipelineOptions(context));
    const terraform = terraformFor(options, signal, context);
    const check = existingObjectsReader({ ...options, adoptionCheck: true }, { terraform, paths: context.paths, log: logProgress, switchedOff: switchedOffStacks(context, run.desired) })!;
    const selected = selectStacks(run.desired, run.stacks, options.stack);
    for (const workspace of selected) {
      const capacity = workspace.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity;
      const stack = workspace.id;
      logProgress(
        `${stack}: reading the stack's state and the other stacks' states of its Okta org (no Okta request), then the org's bookmark apps and the workspace's access groups ` +
          "(1 request per 200 apps in /api/v1/apps, once per org, and per 200 groups in /api/v1/groups)",
      );
      await dropStaleAdoptions(stack, workspace, context.paths, check);
      const own = await check.states.read(stack);
      const elsewhere = await check.states.holders((await check.stacksOfOrg(workspace)).filter((other) => other !== stack));
      const existing = await check.org.existing(workspace.okta, accessGroupPrefix(workspace.workspaceId));
      const match = matchExisting(buildStackData(workspace), existing, heldBy(own, elsewhere));
      for (const line of match.notTaken) process.stdout.write(`${stack}: ${line}\n`);
      if (match.ambiguous.length > 0) {
        throw new UsageError(
          `${stack}: cannot adopt, Okta holds several apps with the same label:\n${match.ambiguous.map((line) => `  ${line}`).join("\n")}\n` +
            "Remove or relabel the extra apps in Okta, then run adopt again. Nothing was written.",
        );
      }
      const file = adoptionFile(context.paths.stateDir, stack);
      const managed = stateInstances(own, APP).length;
      if (match.adopted.length === 0) {
        process.stdout.write(`${stack}: nothing to adopt (${managed} apps already managed, ${match.toCreate} to create)\n`);
        continue;
      }
      await ensureFolder(path.dirname(file));
      await writeFileAtomic(file, `${JSON.stringify(await mergeAdoption(file, match.adoption), null, 2)}\n`);
      const chiclets = new Map(workspace.chiclets.map((chiclet) => [chiclet.accountId, chiclet]));
      const accounts = [...new Set([...Object.keys(match.adoption.apps), ...Object.keys(match.adoption.accessGroups)])];
      const cost = importCalls(
        accounts.map((accountId) => ({
          app: Object.hasOwn(match.adoption.apps, accountId),
          accessGroup: Object.hasOwn(match.adoption.accessGroups, accountId),
          groups: chiclets.get(accountId)?.groups.length ?? 0,
          members: chiclets.get(accountId)?.users.length ?? 0,
        })),
      );
      process.stdout.write(
        `${stack}: will adopt ${match.adopted.length} existing Okta object${match.adopted.length === 1 ? "" : "s"} at the next plan and apply (nothing in Okta changed yet):\n` +
          match.adopted.map((line) => `  <= ${line}\n`).join("") +
          `  ${match.toCreate} app${match.toCreate === 1 ? "" : "s"} not found in Okta will be created.\n` +
          `  The next plan reads each adopted object from Okta: ${describeCost(addCalls(cost), capacity)}.\n` +
          `Next: \`cerby-okta plan\` shows the imports and what they would change; \`cerby-okta apply\` takes them in. (Saved in ${file}.)\n`,
      );
    }
  });
}

/** What this stack's state holds (by account and by Okta ID), and what the other stacks' states hold. */
function heldBy(own: unknown, elsewhere: ReadonlyMap<string, Holder>): Held {
  const apps = stateInstances(own, APP);
  const groups = stateInstances(own, ACCESS_GROUP);
  const ids = new Map<string, string>();
  for (const { key, attributes } of [...apps, ...groups]) if (typeof attributes.id === "string") ids.set(attributes.id, key);
  return { apps: new Set(apps.map((app) => app.key)), accessGroups: new Set(groups.map((group) => group.key)), ids, elsewhere };
}
