/**
 * A small bench for end-to-end tests of the stand-in provider: an emulator,
 * a Terraform sandbox, hand-written configurations in main.tf.json, and
 * helpers to run Terraform and read what it recorded.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startOktaEmulator, type EmulatorOptions, type OktaEmulator } from "../../harness/okta-emulator.ts";
import { createTerraformSandbox, requireTerraform, type TerraformResult, type TerraformSandbox } from "../../harness/terraform-env.ts";

export interface Stand {
  emu: OktaEmulator;
  sb: TerraformSandbox;
  /** Writes main.tf.json: the okta provider (with `provider` settings) and the given blocks. */
  write(blocks: { resource?: object; data?: object }, provider?: Record<string, unknown>): void;
  /** Runs terraform with -no-color (terraform init first, the first time); never throws. */
  tf(...args: string[]): Promise<TerraformResult>;
  /** Runs terraform and throws with its output unless it exits 0 (or 2 with -detailed-exitcode). */
  ok(...args: string[]): Promise<TerraformResult>;
  /** Resource values in state, by address. */
  state(): Promise<Map<string, any>>;
  /** What the provider logged (its stderr, through Terraform's provider log), e.g. `POST /api/v1/groups (status: 429): retrying in 2s (2 left)`. */
  providerLog(): string[];
  close(): Promise<void>;
}

/** `providerVersion`: the okta/okta release the configurations ask for (default 6.12.0). */
export async function startStand(options: EmulatorOptions = {}, providerVersion?: string): Promise<Stand> {
  requireTerraform();
  const token = randomBytes(16).toString("hex");
  const emu = await startOktaEmulator({ ...options, token });
  const sb = await createTerraformSandbox({ emulatorUrl: emu.url, token, providerVersion });
  // Terraform writes each provider's stderr into its log as DEBUG lines:
  // 2026-12-06T02:14:23.308Z [DEBUG] provider.terraform-provider-okta_v4.20.0: [okta-standin] POST /api/v1/groups (status: 429): retrying in 1s (3 left)
  const logFile = join(sb.dir, "terraform.log");
  Object.assign(sb.env, { TF_LOG_PROVIDER: "DEBUG", TF_LOG_PATH: logFile });
  let initialized = false;
  const tf = async (...args: string[]) => {
    // init once, after the first configuration is written
    if (!initialized && args[0] !== "init") {
      const init = await sb.terraform(["init", "-input=false", "-no-color"]);
      if (init.exitCode !== 0) return init;
      initialized = true;
    }
    return sb.terraform([...args, "-no-color"]);
  };
  const stand: Stand = {
    emu,
    sb,
    write(blocks, provider = {}) {
      const config = {
        terraform: { required_providers: { okta: { source: "okta/okta", version: sb.providerVersion } } },
        provider: { okta: [{ org_name: "acme", base_url: "okta.com", ...provider }] },
        ...blocks,
      };
      writeFileSync(join(sb.workDir, "main.tf.json"), JSON.stringify(config, null, 2));
    },
    tf,
    async ok(...args) {
      const r = await tf(...args);
      const allowed = args.includes("-detailed-exitcode") ? [0, 2] : [0];
      if (!allowed.includes(r.exitCode)) throw new Error(`terraform ${args.join(" ")} exited ${r.exitCode}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
      return r;
    },
    async state() {
      const show = JSON.parse((await stand.ok("show", "-json")).stdout);
      const resources = (show.values?.root_module?.resources ?? []) as Array<{ address: string; values: any }>;
      return new Map(resources.map((r) => [r.address, r.values]));
    },
    providerLog() {
      if (!existsSync(logFile)) return [];
      return readFileSync(logFile, "utf8")
        .split("\n")
        .flatMap((line) => /\[okta-standin\] (.*)$/.exec(line)?.[1] ?? []);
    },
    async close() {
      sb.cleanup();
      await emu.close();
    },
  };
  return stand;
}

/** The waits, in seconds, the provider announced before its retries (`retrying in 2s`), in order. */
export function retryWaits(stand: Stand): number[] {
  return stand.providerLog().flatMap((line) => {
    const wait = /: retrying in ([\d.]+)s /.exec(line)?.[1];
    return wait === undefined ? [] : [Number(wait)];
  });
}

/** Gaps in seconds between consecutive logged requests matching a route. */
export function gapsSeconds(emu: OktaEmulator, method: string, route: string): number[] {
  const times = emu.requests.filter((r) => r.method === method && r.route === route).map((r) => r.at);
  return times.slice(1).map((t, i) => (t - times[i]!) / 1000);
}
