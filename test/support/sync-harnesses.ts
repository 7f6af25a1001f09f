// Starting and stopping SyncHarnesses (the CLI, real Terraform, the stand-in
// provider and the emulator) in end-to-end test files, in one place: one
// harness shared by the tests of a describe, or harnesses a test starts and
// that are stopped after it.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { EmulatorOptions } from "../../harness/okta-emulator.ts";
import { SyncHarness, type WorkspacesSource } from "../../harness/sync-harness.ts";
import { requireTerraform } from "../../harness/terraform-env.ts";
import type { OktaProviderVersion } from "../../src/config/okta-provider-version.ts";

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  /** The project's cerby-okta.yaml, written before any command runs (it replaces the one `providerVersion` writes). */
  config?: string;
  /** The okta/okta release the project asks for (SyncHarness.start). */
  providerVersion?: OktaProviderVersion;
}

/** Starts a harness (failing clearly when `terraform` is missing), with the project's cerby-okta.yaml when given. */
export async function startHarness(source: WorkspacesSource, options: HarnessOptions = {}): Promise<SyncHarness> {
  requireTerraform();
  const harness = await SyncHarness.start(source, { emulator: options.emulator, providerVersion: options.providerVersion });
  if (options.config !== undefined) await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), options.config);
  return harness;
}

/**
 * One harness for the tests of the enclosing describe (or file): started
 * before them (then `prepare`, e.g. a first sync), stopped after them.
 * Returns the harness itself, usable once the tests run; it stands for the
 * started one through a proxy, so that tests read `harness.cli(...)`.
 */
export function harnessForAll(source: WorkspacesSource, options: HarnessOptions & { prepare?: (harness: SyncHarness) => Promise<void> } = {}): SyncHarness {
  let started: SyncHarness | undefined;
  beforeAll(async () => {
    started = await startHarness(source, options);
    await options.prepare?.(started);
  }, 180_000);
  afterAll(async () => {
    await started?.stop();
    started = undefined;
  });
  return new Proxy({} as SyncHarness, {
    get(_, key) {
      if (!started) throw new Error(`the harness is used outside the tests it was started for (reading ${String(key)})`);
      const value = Reflect.get(started, key, started);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

/** For harnesses the tests start themselves: each is stopped after the test that started it. */
export function harnessPerTest(): (source: WorkspacesSource, options?: HarnessOptions) => Promise<SyncHarness> {
  const running: SyncHarness[] = [];
  afterEach(async () => {
    for (const harness of running.splice(0)) await harness.stop();
  });
  return async (source, options) => {
    const harness = await startHarness(source, options);
    running.push(harness);
    return harness;
  };
}
