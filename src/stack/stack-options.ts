// The stack settings of a project. Apart from backend.ts, which loads cdktf:
// a command whose stacks are all current on disk never loads it (about 0.35 s).
import type { ResolvedProject } from "../config/project.ts";
import { readAdoptions } from "./adoptions.ts";
import type { StackOptions } from "./workspace-stack.ts";

/** The stack settings of a resolved project, the same for `synth`, `plan`, the watcher and `cdktf synth`: its backend, its okta/okta release, and the adoptions waiting in its state folder. */
export async function stackOptionsFor(resolved: ResolvedProject): Promise<StackOptions> {
  return { backend: resolved.backend, projectDir: resolved.project.dir, adoptions: await readAdoptions(resolved.stateDir), oktaProviderVersion: resolved.oktaProviderVersion };
}
