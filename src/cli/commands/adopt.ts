// `cerby-okta adopt`: see src/sync/adopt.ts.
import { ensureFolder } from "../../files/ensure-folder.ts";
import type { Command } from "commander";
import path from "node:path";
import { UsageError } from "../../errors.ts";
import { writeFileAtomic } from "../../files/write-file-atomic.ts";
import { accessGroupName, APP, stateInstances } from "../../stack/names.ts";
import { buildStackData } from "../../stack/stack-data.ts";
import { matchExisting } from "../../sync/adopt.ts";
import { selectStacks } from "../../sync/plan.ts";
import { stackDir } from "../../sync/saved-plans.ts";
import { addWaitOption, lockProject, type WaitOption } from "../project-lock-option.ts";
import { interruptSignal } from "../interrupt.ts";
import { addOktaUrlOption, oktaClientFor } from "../okta-options.ts";
import { readExistingObjects } from "../../okta-api/org-objects.ts";
import { addTerraformOptions, adoptionFile, commandContext, logProgress, pipelineOptions, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";
import { synthesize } from "../../pipeline/pipeline.ts";

export function register(program: Command): void {
  addWaitOption(addOktaUrlOption(
    addTerraformOptions(
      program
        .command("adopt")
        .description(
          "take apps and access groups that already exist in Okta (same label, same group name) under management instead of creating duplicates: " +
            "writes what to import for the next `plan`, which shows it; changes nothing in Okta (token from OKTA_API_TOKEN)",
        ),
    ),
  )).action(async (options: TerraformCommandOptions & WaitOption & { oktaUrl?: string }) => {
    const signal = interruptSignal();
    const context = await commandContext(options);
    await lockProject(context, "adopt", options, signal);
    const run = await synthesize(pipelineOptions(context));
    const terraform = terraformFor(options, signal);
    for (const workspace of selectStacks(run.desired, run.stacks, options.stack)) {
      const stack = workspace.id;
      logProgress(`${stack}: reading what the stack's state and the Okta org hold`);
      const dir = stackDir(context.paths, stack);
      await terraform.init(dir);
      const managed = managedApps(await terraform.pullState(dir));
      const existing = await readExistingObjects(oktaClientFor(workspace, options, "adopt"), accessGroupName(workspace.workspaceId, ""));
      const match = matchExisting(buildStackData(workspace), existing, managed);
      if (match.ambiguous.length > 0) {
        throw new UsageError(
          `${stack}: cannot adopt, Okta holds several apps with the same label:\n${match.ambiguous.map((line) => `  ${line}`).join("\n")}\n` +
            "Remove or relabel the extra apps in Okta, then run adopt again. Nothing was written.",
        );
      }
      const file = adoptionFile(context.paths.stateDir, stack);
      if (match.adopted.length === 0) {
        process.stdout.write(`${stack}: nothing to adopt (${managed.size} apps already managed, ${match.toCreate} to create)\n`);
        continue;
      }
      await ensureFolder(path.dirname(file));
      await writeFileAtomic(file, `${JSON.stringify(match.adoption, null, 2)}\n`);
      process.stdout.write(
        `${stack}: will adopt ${match.adopted.length} existing Okta object${match.adopted.length === 1 ? "" : "s"} at the next plan and apply (nothing in Okta changed yet):\n` +
          match.adopted.map((line) => `  <= ${line}\n`).join("") +
          `  ${match.toCreate} app${match.toCreate === 1 ? "" : "s"} not found in Okta will be created.\n` +
          `Next: \`cerby-okta plan\` shows the imports and what they would change; \`cerby-okta apply\` takes them in. (Saved in ${file}.)\n`,
      );
    }
  });
}

function managedApps(state: unknown): Set<string> {
  return new Set(stateInstances(state, APP).map((instance) => instance.key));
}
