// Runs the real cerby-okta CLI and the real `terraform` against the Okta
// emulator and the stand-in okta/okta provider (harness/), in a temporary
// copy of a workspaces folder. People are seeded into the emulator from the
// workspace files, as if they already existed in Okta.
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { OktaProviderVersion } from "../src/config/okta-provider-version.ts";
import { computeDesiredState, type DesiredState } from "../src/domain/desired-state.ts";
import { loadWorkspaces } from "../src/workspace/load.ts";
import { REPO_ROOT } from "./repo-root.ts";
import { seedEmulator } from "./seed.ts";
import { startOktaEmulator, type EmulatorOptions, type OktaEmulator } from "./okta-emulator.ts";
import { createTerraformSandbox, type TerraformSandbox } from "./terraform-env.ts";
import type { TestServiceApp } from "./service-app.ts";

const bin = path.join(REPO_ROOT, "bin", "cerby-okta.js");

/**
 * The workspaces folder to start with: a folder to copy, the files to write
 * (path in the folder -> a document, written as JSON, or text), or a function
 * writing into the folder.
 */
export type WorkspacesSource = string | Readonly<Record<string, object | string>> | ((workspacesDir: string) => Promise<void>);

async function writeWorkspaces(source: WorkspacesSource, workspacesDir: string): Promise<void> {
  if (typeof source === "string") return cp(source, workspacesDir, { recursive: true });
  if (typeof source === "function") return source(workspacesDir);
  for (const [file, content] of Object.entries(source)) {
    await mkdir(path.join(workspacesDir, path.dirname(file)), { recursive: true });
    await writeFile(path.join(workspacesDir, file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
}

export class SyncHarness {
  private constructor(
    readonly cwd: string,
    readonly emulator: OktaEmulator,
    readonly sandbox: TerraformSandbox,
  ) {}

  /**
   * `source` is a workspaces folder to copy, a record of workspace files, or a function writing one into the given folder.
   * `serviceApp`: the emulator knows it, and Terraform and cerby-okta authenticate as it (OAuth), with no API token.
   * `providerVersion`: the okta/okta release the project asks for, written into its cerby-okta.yaml
   * (`oktaProvider.version`); absent: the default.
   */
  static async start(
    source: WorkspacesSource,
    options: { emulator?: EmulatorOptions; serviceApp?: TestServiceApp; providerVersion?: OktaProviderVersion } = {},
  ): Promise<SyncHarness> {
    const cwd = await mkdtemp(path.join(tmpdir(), "cerby-okta-sync-"));
    await writeWorkspaces(source, path.join(cwd, "workspaces"));
    if (options.providerVersion) await writeFile(path.join(cwd, "cerby-okta.yaml"), `oktaProvider:\n  version: "${options.providerVersion}"\n`);
    // A fresh random token per run: no credential is ever written in the repository.
    const token = randomBytes(16).toString("hex");
    const emulator = await startOktaEmulator({ ...options.emulator, token, serviceApps: [...(options.emulator?.serviceApps ?? []), ...(options.serviceApp ? [options.serviceApp.registration] : [])] });
    const sandbox = await createTerraformSandbox({
      emulatorUrl: emulator.url,
      token,
      providerVersion: options.providerVersion,
      ...(options.serviceApp ? { env: options.serviceApp.env() } : {}),
    });
    const harness = new SyncHarness(cwd, emulator, sandbox);
    await harness.seedPeople();
    return harness;
  }

  async stop(): Promise<void> {
    this.sandbox.cleanup();
    await this.emulator.close();
    await rm(this.cwd, { recursive: true, force: true });
  }

  /**
   * Runs `cerby-okta <args>` with Terraform (and cerby-okta's own Okta reads) pointed at the emulator.
   * `detached`: in a process group of its own, which a test can kill whole (`process.kill(-pid, "SIGKILL")`).
   * `bin`: another checkout's `bin/cerby-okta.js` (a benchmark's before and after).
   */
  cli(args: string[], options: { cwd?: string; env?: Record<string, string>; detached?: boolean; bin?: string } = {}) {
    return execa("node", [options.bin ?? bin, ...args], {
      cwd: options.cwd ?? this.cwd,
      detached: options.detached ?? false,
      env: { ...this.sandbox.env, CERBY_OKTA_OKTA_URL: this.emulator.url, PATH: process.env.PATH ?? "", CI: "true", ...options.env },
      extendEnv: false,
      reject: false,
    });
  }

  /**
   * Runs the repository's `cdktf <args>` in the project folder, which gets a
   * cdktf.json pointing at the compiled main.ts: the same stacks and state as
   * the CLI. `--auto-approve` is the caller's: without a terminal cdktf cannot ask.
   */
  async cdktf(args: string[], options: { env?: Record<string, string> } = {}) {
    await writeFile(
      path.join(this.cwd, "cdktf.json"),
      JSON.stringify({ language: "typescript", app: `node ${JSON.stringify(path.join(REPO_ROOT, "dist", "main.js"))}`, projectId: "cerby-okta-test", sendCrashReports: "false" }),
    );
    return execa(path.join(REPO_ROOT, "node_modules", ".bin", "cdktf"), args, {
      cwd: this.cwd,
      env: { ...this.sandbox.env, PATH: process.env.PATH ?? "", HOME: this.cwd, CI: "true", CHECKPOINT_DISABLE: "1", DISABLE_VERSION_CHECK: "1", ...options.env },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    });
  }

  /** `plan` then `apply`; returns both results, failing loudly on errors. */
  async sync(applyArgs: string[] = []) {
    const plan = await this.cli(["plan"]);
    if (plan.exitCode !== 0 && plan.exitCode !== 2) throw new Error(`plan failed (${plan.exitCode}):\n${plan.stderr}`);
    const apply = await this.cli(["apply", ...applyArgs]);
    if (apply.exitCode !== 0) throw new Error(`apply failed (${apply.exitCode}):\n${apply.stderr}`);
    return { plan, apply };
  }

  async desiredState(): Promise<DesiredState> {
    return computeDesiredState(await loadWorkspaces(path.join(this.cwd, "workspaces")));
  }

  /** Each person's Okta dashboard: sorted chiclet labels, by login. */
  dashboards(): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const user of this.emulator.state.users.values()) {
      result[user.profile.login] = this.emulator.appLinksFor(user.id).map((link) => link.label).sort();
    }
    return result;
  }

  /** What each person should see according to the preview, resolving IdP groups through Okta's own membership. */
  async expectedDashboards(): Promise<Record<string, string[]>> {
    const state = await this.desiredState();
    const workspaces = await loadWorkspaces(path.join(this.cwd, "workspaces"));
    const emailOf = new Map(workspaces.flatMap((workspace) => workspace.users.map((user) => [user.id, user.email] as const)));
    const result: Record<string, string[]> = {};
    for (const user of this.emulator.state.users.values()) {
      const hidden = user.status === "SUSPENDED" || user.status === "DEPROVISIONED";
      const labels = hidden
        ? []
        : state.workspaces.flatMap((workspace) =>
            workspace.chiclets
              .filter(
                (chiclet) =>
                  chiclet.users.some((id) => emailOf.get(id) === user.profile.login) ||
                  chiclet.groups.some((group) => this.emulator.state.groupMembers.get(group)?.has(user.id)),
              )
              .map((chiclet) => chiclet.label),
          );
      result[user.profile.login] = labels.sort();
    }
    return result;
  }

  async editFile(relative: string, edit: (text: string) => string): Promise<void> {
    const file = path.join(this.cwd, "workspaces", relative);
    const before = await readFile(file, "utf8");
    const after = edit(before);
    if (after === before) throw new Error(`edit of ${relative} changed nothing`);
    await writeFile(file, after);
  }

  async writeFile(relative: string, text: string): Promise<void> {
    await writeFile(path.join(this.cwd, "workspaces", relative), text);
  }

  appIdByLabel(label: string): string | undefined {
    return [...this.emulator.state.apps.values()].find((app) => app.label === label)?.id;
  }

  /** People and IdP-managed teams from the workspace files, as the sandbox seeds them. */
  private async seedPeople(): Promise<void> {
    const workspaces = await loadWorkspaces(path.join(this.cwd, "workspaces"));
    seedEmulator(this.emulator, workspaces, (message) => {
      throw new Error(`seeding the emulator: ${message}`);
    });
    this.emulator.resetRequestLog();
  }
}
