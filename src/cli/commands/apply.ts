import type { Command } from "commander";
import { applySavedPlans, readSavedPlans } from "../../sync/workflow.ts";
import { interruptSignal } from "../interrupt.ts";
import { addDestroyGuardOptions, addTerraformOptions, destroyLimits, logProgress, syncPaths, terraformFor, type TerraformCommandOptions } from "../terraform-options.ts";

export function register(program: Command): void {
  addDestroyGuardOptions(
    addTerraformOptions(
      program
        .command("apply")
        .description("apply exactly the plans saved by the last `plan` (never a fresh one), stack by stack, under the destroy guard; record sync status"),
      { readsWorkspaces: false },
    ),
  ).action(async (options: TerraformCommandOptions & { allowDestroy?: boolean; maxDestroyPercent: number; maxDestroyCount: number }) => {
    const signal = interruptSignal();
    const plans = await readSavedPlans(syncPaths(options));
    const selected = options.stack ? plans.filter((plan) => options.stack!.includes(plan.stack)) : plans;
    const { applied } = await applySavedPlans(selected, terraformFor(options, signal), syncPaths(options), {
      limits: destroyLimits(options),
      allowDestroy: options.allowDestroy === true,
      log: logProgress,
    });
    process.stdout.write(`applied: ${applied.join(", ") || "nothing"}\n`);
  });
}
