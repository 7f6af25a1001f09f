// How commands reach Okta themselves (not through Terraform): the credentials
// the provider reads too (src/okta-api/credentials.ts: an OAuth service app,
// OKTA_ACCESS_TOKEN or OKTA_API_TOKEN), the org URL from the workspace or --okta-url /
// CERBY_OKTA_OKTA_URL (proxies, the local sandbox). Used to check a first
// sync against what the org already holds, and by `adopt`.
import { Option, type Command } from "commander";
import { rm } from "node:fs/promises";
import { oktaOrgKey, type DesiredState, type DesiredWorkspace } from "../domain/desired-state.ts";
import { shardCountsOf } from "../config/project-config.ts";
import { localStateFile } from "../stack/state-path.ts";
import { shardStackId } from "../stack/shards.ts";
import { UsageError } from "../errors.ts";
import { OktaClient, oktaOrgUrl } from "../okta-api/client.ts";
import { accessReader, OrgObjectsMemo, type AccessReader } from "../okta-api/org-objects.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { CreateCheck } from "../sync/create-check.ts";
import type { Log } from "../sync/plan.ts";
import { StackStates, synthesizedStacksOfOrg } from "../sync/stack-states.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stackDir, type SyncPaths } from "../sync/saved-plans.ts";
import { adoptionFile, logProgress, type CommandContext } from "./terraform-options.ts";
import { CAPACITY_VARIABLE } from "../stack/names.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";
import { OktaChecks } from "../sync/okta-checks.ts";
import { addCredentialsHelp } from "./credentials-help.ts";
import type { OktaProviderVersion } from "../config/okta-provider-version.ts";
import { applyScopesFor, describeCredentials, missingScopes, oktaCredentialsFromEnv, READ_SCOPES, type OktaCredentials } from "../okta-api/credentials.ts";

export interface OktaAccessOptions {
  adoptionCheck?: boolean;
  oktaUrl?: string;
}

export function addOktaUrlOption(command: Command): Command {
  return addCredentialsHelp(command).addOption(
    new Option("--okta-url <url>", "Okta org URL for cerby-okta's own requests (default: $CERBY_OKTA_OKTA_URL, else https://<orgName>.<baseUrl>)"),
  );
}

export function addAdoptionCheckOption(command: Command): Command {
  return addOktaUrlOption(command).option(
    "--no-adoption-check",
    "do not look in Okta for the apps and access groups a plan would create (the check needs Okta credentials, and costs requests only when a plan creates something)",
  );
}

/** The org URL cerby-okta itself calls: https only, except to this machine. */
export function oktaUrlFor(workspace: Pick<DesiredWorkspace, "okta">, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag ?? env.CERBY_OKTA_OKTA_URL;
  if (value === undefined || value === "") return oktaOrgUrl(workspace.okta);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--okta-url ${JSON.stringify(value)} is not a URL`);
  }
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) throw new UsageError("--okta-url must be https:// (plain http only for this machine): the credentials travel with every request");
  return url.href;
}

export function oktaClientFor(workspace: Pick<DesiredWorkspace, "id" | "okta">, options: OktaAccessOptions, purpose: string, env: NodeJS.ProcessEnv = process.env): OktaClient {
  const credentials = oktaCredentialsFromEnv(env);
  if (!credentials) {
    throw new UsageError(
      `${workspace.id}: ${purpose} needs to read the Okta org, and no Okta credentials are set (${CREDENTIAL_VARIABLES}). ` +
        `Set them, or, if you are sure the org holds none of these apps yet, pass --no-adoption-check`,
    );
  }
  return oktaClientWith(credentials, oktaUrlFor(workspace, options.oktaUrl, env), workspace.okta.rateLimit?.maxApiCapacity);
}

/** The variables that hold Okta credentials, as messages name them. */
const CREDENTIAL_VARIABLES = "OKTA_API_CLIENT_ID with OKTA_API_PRIVATE_KEY and OKTA_API_SCOPES, or OKTA_API_TOKEN";

function oktaClientWith(credentials: OktaCredentials, baseUrl: string, maxApiCapacity?: number): OktaClient {
  return new OktaClient({
    baseUrl,
    credentials,
    // The same share as the workspace's Terraform runs: Okta's headers count both.
    maxApiCapacity: maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity,
    unknownHostHint: "to reach another Okta (a proxy, the local sandbox), pass --okta-url or set CERBY_OKTA_OKTA_URL",
  });
}

/** Whether the environment holds Okta credentials (checked for consistency: a half-set service app is an error). */
export function hasOktaCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return oktaCredentialsFromEnv(env) !== undefined;
}

/** What a run needs to read an org's objects once (per org), with cerby-okta's own token. */
export function orgObjectsMemo(options: OktaAccessOptions, purpose: string, env: NodeJS.ProcessEnv = process.env): OrgObjectsMemo {
  return new OrgObjectsMemo((org) => oktaClientFor({ id: `${org.orgName}.${org.baseUrl}`, okta: org } as DesiredWorkspace, options, purpose, env));
}

/**
 * The check of a run's creates against Okta (see src/sync/create-check.ts),
 * unless turned off: one per run, so that each org's apps are listed once.
 */
export function existingObjectsReader(
  options: OktaAccessOptions,
  run: { terraform: Terraform; paths: SyncPaths; log: Log; switchedOff?: readonly SwitchedOffStack[] },
  env: NodeJS.ProcessEnv = process.env,
): CreateCheck | undefined {
  if (options.adoptionCheck === false) return undefined;
  const off = run.switchedOff ?? [];
  return {
    org: orgObjectsMemo(options, "checking the apps and groups a plan would create against Okta", env),
    states: new StackStates(run.terraform, run.paths, new Map(off.map((stack) => [stack.stack, stack.stateFile]))),
    stacksOfOrg: async (workspace) => [
      ...(await synthesizedStacksOfOrg(run.paths, workspace.okta)),
      ...off.filter((stack) => oktaOrgKey(stack.okta) === oktaOrgKey(workspace.okta)).map((stack) => stack.stack),
    ],
    log: run.log,
  };
}

/** A stack of a workspace whose switch is off (R1): not synthesized, but its state still holds what it made. */
export interface SwitchedOffStack {
  readonly stack: string;
  readonly okta: DesiredWorkspace["okta"];
  readonly stateFile: string;
}

/**
 * The stacks of the workspaces whose switch is off, with their local state
 * files: the check and `adopt` must not take what those states hold. Under a
 * remote backend their states cannot be reached without a stack folder: not listed.
 */
export function switchedOffStacks(context: CommandContext, desired: DesiredState): SwitchedOffStack[] {
  const counts = shardCountsOf(context.project);
  return desired.workspaces
    .filter((workspace) => !workspace.synced)
    .flatMap((workspace) => {
      const count = counts.get(workspace.id) ?? 1;
      const ids = count > 1 ? Array.from({ length: count }, (_, index) => shardStackId(workspace.id, index)) : [workspace.id];
      return ids.flatMap((stack) => {
        const stateFile = localStateFile(context.project.config.backend, context.project.dir, stack);
        return stateFile === undefined ? [] : [{ stack, okta: workspace.okta, stateFile }];
      });
    });
}

/** Checks the Okta user and team group IDs a plan would add; without credentials it says so once and checks nothing. */
export function oktaChecksFor(options: OktaAccessOptions, env: NodeJS.ProcessEnv = process.env): OktaChecks {
  return new OktaChecks((workspace) => (hasOktaCredentials(env) ? oktaClientFor(workspace, options, "checking Okta IDs before planning", env) : undefined), logProgress);
}

/**
 * Reads a stack's Okta org directly (for the check after apply), with the org
 * the stack's provider block names; undefined without OKTA_API_TOKEN.
 */
export function accessReaderFor(options: OktaAccessOptions, env: NodeJS.ProcessEnv = process.env): (stack: string, paths: SyncPaths) => Promise<AccessReader | undefined> {
  return async (stack, paths) => {
    if (!hasOktaCredentials(env)) return undefined;
    const workspace = await stackOrg(paths, stack);
    return workspace && accessReader(oktaClientFor(workspace, options, "checking the apply", env));
  };
}

/** The org a synthesized stack's provider block names, or undefined when it names none. */
async function stackOrg(paths: SyncPaths, stack: string): Promise<OrgOfStack | undefined> {
  const config = JSON.parse(await readFile(path.join(stackDir(paths, stack), "cdk.tf.json"), "utf8")) as {
    provider?: { okta?: { org_name?: string; base_url?: string }[] };
    variable?: Record<string, { default?: unknown }>;
  };
  const okta = config.provider?.okta?.[0];
  if (!okta?.org_name || !okta.base_url) return undefined;
  // The stack's share, as its provider keeps to it: cerby-okta's own reads keep to it too.
  const capacity = config.variable?.[CAPACITY_VARIABLE]?.default;
  const rateLimit = typeof capacity === "number" ? { maxApiCapacity: capacity } : undefined;
  return { id: stack, okta: { orgName: okta.org_name, baseUrl: okta.base_url, ...(rateLimit ? { rateLimit } : {}) } };
}

/** A stack and the Okta org it manages. */
export interface OrgOfStack {
  readonly id: string;
  readonly okta: DesiredWorkspace["okta"];
}

/** Okta's answer to a token cerby-okta could not use: what it means and what to do. */
const TOKEN_REFUSED: Record<401 | 403, string> = {
  401: "the token is wrong, expired or revoked, or was made in another org. Create one in this org's Admin Console (Security > API > Tokens) and set OKTA_API_TOKEN to it; or use an OAuth service app (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_SCOPES)",
  403: "the token is valid, but the admin who made it may not read users. Use a token of an admin whose role may manage apps and groups and read users (a Super Administrator, or a custom role with okta.apps.manage, okta.groups.manage and okta.users.read)",
};

/** What a command does with Okta: only reads (plan, reconcile, review), or also changes it (apply). */
export type OktaAccess = "read" | "apply";

/**
 * Checks, before Terraform runs, that each org the given stacks reach takes
 * the credentials, once per org. An API token: one `GET /api/v1/users/me`
 * (401: wrong or expired; 403: its admin may not read users). An OAuth service
 * app: one token request, whose granted scopes must cover what the command
 * needs (applyScopesFor the stacks' okta/okta release to apply, READ_SCOPES otherwise), so that a plan job
 * with read scopes never gets as far as an apply. Without the check a missing
 * or wrong credential shows up as a Terraform error on the provider block of
 * a synthesized file. An OKTA_ACCESS_TOKEN is not checked (it is used as given).
 */
export function credentialCheck(
  options: OktaAccessOptions,
  env: NodeJS.ProcessEnv = process.env,
  access: OktaAccess = "read",
  providerVersion?: OktaProviderVersion,
): (stacks: readonly OrgOfStack[]) => Promise<void> {
  return async (stacks) => {
    if (stacks.length === 0) return;
    const byOrg = new Map<string, OrgOfStack[]>();
    for (const stack of stacks) byOrg.set(oktaOrgKey(stack.okta), [...(byOrg.get(oktaOrgKey(stack.okta)) ?? []), stack]);
    const orgs = [...byOrg.values()].map((users) => ({ users, url: oktaUrlFor(users[0]!, options.oktaUrl, env) }));
    const named = (users: readonly OrgOfStack[]) => `Okta org ${users[0]!.okta.orgName}.${users[0]!.okta.baseUrl} (stack${users.length === 1 ? "" : "s"} ${users.map((user) => user.id).join(", ")})`;
    const credentials = oktaCredentialsFromEnv(env);
    if (!credentials) {
      throw new UsageError(
        `no Okta credentials are set: Terraform's okta provider and cerby-okta's own requests need them for ${orgs.map((org) => `${named(org.users)} at ${org.url}`).join("; ")}. ` +
          `Create an API service app in the org's Admin Console (Applications > Create App Integration > API Services) with a public key and the scopes listed in the README, and export OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY and OKTA_API_SCOPES (CI secrets in workflows); ` +
          `or export OKTA_API_TOKEN (Security > API > Tokens). Nothing was changed`,
      );
    }
    if (credentials.kind === "access-token") return;
    for (const org of orgs) {
      const client = oktaClientWith(credentials, org.url);
      if (client.serviceApp) {
        const needed = access === "apply" ? applyScopesFor(providerVersion) : READ_SCOPES;
        let granted: readonly string[];
        try {
          granted = await client.serviceApp.grantedScopes();
        } catch (error) {
          if (error instanceof UsageError) throw new UsageError(`${named(org.users)}: ${error.message}. Nothing was changed`);
          throw error;
        }
        const missing = missingScopes(granted, needed);
        if (missing.length > 0) {
          throw new UsageError(
            `${named(org.users)}: ${access === "apply" ? "applying" : "planning"} needs the OAuth scope${missing.length === 1 ? "" : "s"} ${missing.join(", ")}, which ${describeCredentials(credentials)} was not granted ` +
              `(OKTA_API_SCOPES asks for ${credentials.kind === "oauth" ? credentials.scopes.join(",") : ""}). Grant ${missing.length === 1 ? "it" : "them"} to the service app (Applications > the app > Okta API Scopes) and add ${missing.length === 1 ? "it" : "them"} to OKTA_API_SCOPES. Nothing was changed`,
          );
        }
        continue;
      }
      const answer = await client.tokenCheck();
      if (!answer.ok) {
        throw new UsageError(
          `${named(org.users)}: ${org.url} refuses OKTA_API_TOKEN (HTTP ${answer.status}${answer.summary ? ` ${answer.summary}` : ""} to GET /api/v1/users/me): ` +
            `${TOKEN_REFUSED[answer.status]}. Nothing was changed`,
        );
      }
    }
  };
}

/** The same check for stacks known by ID only (`apply`): their orgs are read from their synthesized files. */
export function credentialCheckOfStacks(options: OktaAccessOptions, paths: SyncPaths, env: NodeJS.ProcessEnv = process.env, access: OktaAccess = "apply", providerVersion?: OktaProviderVersion): (stacks: readonly string[]) => Promise<void> {
  const check = credentialCheck(options, env, access, providerVersion);
  return async (stacks) => {
    const orgs = await Promise.all(stacks.map((stack) => stackOrg(paths, stack)));
    await check(orgs.filter((org): org is OrgOfStack => org !== undefined));
  };
}

/** Adoption files of stacks whose apply took the objects in: no longer needed. */
export async function clearAdoptions(stateDir: string, stacks: readonly string[]): Promise<void> {
  for (const stack of stacks) await rm(adoptionFile(stateDir, stack), { force: true });
}
