// How commands reach Okta themselves (not through Terraform): the token from
// OKTA_API_TOKEN, the org URL from the workspace or --okta-url /
// CERBY_OKTA_OKTA_URL (proxies, the local sandbox). Used to check a first
// sync against what the org already holds, and by `adopt`.
import { Option, type Command } from "commander";
import { rm } from "node:fs/promises";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { UsageError } from "../errors.ts";
import { OktaClient, oktaOrgUrl } from "../okta-api/client.ts";
import { accessReader, readExistingObjects, type AccessReader } from "../okta-api/org-objects.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stackDir, type SyncPaths } from "../sync/saved-plans.ts";
import { accessGroupName } from "../stack/names.ts";
import type { ExistingObjectsReader } from "../sync/plan.ts";
import { adoptionFile, logProgress } from "./terraform-options.ts";
import { OktaChecks } from "../sync/okta-checks.ts";

export interface OktaAccessOptions {
  adoptionCheck?: boolean;
  oktaUrl?: string;
}

export function addOktaUrlOption(command: Command): Command {
  return command.addOption(
    new Option("--okta-url <url>", "Okta org URL for cerby-okta's own requests (default: $CERBY_OKTA_OKTA_URL, else https://<orgName>.<baseUrl>)"),
  );
}

export function addAdoptionCheckOption(command: Command): Command {
  return addOktaUrlOption(command).option(
    "--no-adoption-check",
    "on a stack's first sync, do not look in Okta for apps and groups that already exist (needs OKTA_API_TOKEN otherwise)",
  );
}

/** The org URL cerby-okta itself calls: https only, except to this machine. */
export function oktaUrlFor(workspace: DesiredWorkspace, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag ?? env.CERBY_OKTA_OKTA_URL;
  if (value === undefined || value === "") return oktaOrgUrl(workspace.okta);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--okta-url ${JSON.stringify(value)} is not a URL`);
  }
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) throw new UsageError("--okta-url must be https:// (plain http only for this machine): the token travels with every request");
  return url.href;
}

export function oktaClientFor(workspace: DesiredWorkspace, options: OktaAccessOptions, purpose: string, env: NodeJS.ProcessEnv = process.env): OktaClient {
  const token = env.OKTA_API_TOKEN;
  if (!token) {
    throw new UsageError(
      `${workspace.id}: ${purpose} needs to read the Okta org, and OKTA_API_TOKEN is not set (cerby-okta's own requests use an API token). ` +
        `Set it, or, if you are sure the org holds none of these apps yet, pass --no-adoption-check`,
    );
  }
  return new OktaClient({
    baseUrl: oktaUrlFor(workspace, options.oktaUrl, env),
    token,
    unknownHostHint: "to reach another Okta (a proxy, the local sandbox), pass --okta-url or set CERBY_OKTA_OKTA_URL",
  });
}

/** Reads what a workspace's org already holds, unless the check was turned off. */
export function existingObjectsReader(options: OktaAccessOptions, env: NodeJS.ProcessEnv = process.env): ExistingObjectsReader | undefined {
  if (options.adoptionCheck === false) return undefined;
  return (workspace) => readExistingObjects(oktaClientFor(workspace, options, "its first sync (checking for apps that already exist)", env), accessGroupName(workspace.id, ""));
}

/** Checks the Okta user and team group IDs a plan would add; without OKTA_API_TOKEN it says so once and checks nothing. */
export function oktaChecksFor(options: OktaAccessOptions, env: NodeJS.ProcessEnv = process.env): OktaChecks {
  return new OktaChecks((workspace) => (env.OKTA_API_TOKEN ? oktaClientFor(workspace, options, "checking Okta IDs before planning", env) : undefined), logProgress);
}

/**
 * Reads a stack's Okta org directly (for the check after apply), with the org
 * the stack's provider block names; undefined without OKTA_API_TOKEN.
 */
export function accessReaderFor(options: OktaAccessOptions, env: NodeJS.ProcessEnv = process.env): (stack: string, paths: SyncPaths) => Promise<AccessReader | undefined> {
  return async (stack, paths) => {
    if (!env.OKTA_API_TOKEN) return undefined;
    const config = JSON.parse(await readFile(path.join(stackDir(paths, stack), "cdk.tf.json"), "utf8")) as { provider?: { okta?: { org_name?: string; base_url?: string }[] } };
    const okta = config.provider?.okta?.[0];
    if (!okta?.org_name || !okta.base_url) return undefined;
    const workspace = { id: stack, okta: { orgName: okta.org_name, baseUrl: okta.base_url } } as DesiredWorkspace;
    return accessReader(oktaClientFor(workspace, options, "checking the apply", env));
  };
}

/** Adoption files of stacks whose apply took the objects in: no longer needed. */
export async function clearAdoptions(stateDir: string, stacks: readonly string[]): Promise<void> {
  for (const stack of stacks) await rm(adoptionFile(stateDir, stack), { force: true });
}
