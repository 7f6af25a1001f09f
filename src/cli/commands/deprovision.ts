// `cerby-okta deprovision <folder>`: users suspended or deprovisioned in Okta
// leave the Cerby workspace (R7). Dry run unless --apply. The work is in
// src/deprovision/deprovision.ts.
import { addCredentialsHelp } from "../credentials-help.ts";
import { oktaCredentialsFromEnv } from "../../okta-api/credentials.ts";
import type { Command } from "commander";
import { runDeprovision } from "../../deprovision/deprovision.ts";
import { checkFolder } from "../../deprovision/folder.ts";
import { redactError, redactingWriter, redactor } from "../../http/redact.ts";
import { progressEnabled } from "../../http/progress.ts";
import { UsageError } from "../../errors.ts";
import { resolveProject } from "../../config/project.ts";
import { cerbyBaseUrl, processDeps, type CommandDeps } from "./snapshot.ts";
import { addHttpOptions, type HttpFlags } from "../http-options.ts";

export function register(program: Command, deps: CommandDeps = processDeps()): void {
  const command = program
    .command("deprovision")
    .description(
      "find workspace users SUSPENDED or DEPROVISIONED in Okta (credentials from OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY, or OKTA_API_TOKEN) and remove them from the Cerby workspace; dry run unless --apply",
    )
    .argument("<folder>", "workspace folder, e.g. workspaces/acme")
    .option("--apply", "remove them: through the Cerby API for users kept in a snapshot, by editing the YAML for the others")
    .option("--okta-url <url>", "Okta org URL (default: $CERBY_OKTA_OKTA_URL, else https://<orgName>.<baseUrl> from the workspace; the local sandbox: http://127.0.0.1:8787)")
    .option("--workspace <name>", "Cerby workspace subdomain, for --apply on a snapshot (key from CERBY_API_KEY)")
    .option("--base-url <url>", "Cerby API base URL (instead of --workspace)")
    .option("--full", "read every user from Okta (one request each) even when the System Log since the last --apply could be read instead")
    .option("--state-dir <dir>", "where the System Log cursor is kept (default: .cerby-okta in the project folder)")
    .option("--json", "print the report as JSON on stdout; the text report goes to stderr")
    .option("--json-file <file>", "also write the report as JSON to FILE (written whole, or not at all)");
  addHttpOptions(addCredentialsHelp(command)).action(async (dir: string, flags: DeprovisionFlags) => {

      const apiKey = deps.env.CERBY_API_KEY;
      // Whatever a server echoes, no line we print holds a credential.
      const redact = redactor([deps.env.OKTA_API_TOKEN, deps.env.OKTA_ACCESS_TOKEN, deps.env.OKTA_API_PRIVATE_KEY, apiKey]);
      try {
        // In the order a user fixes things: the folder, then the flags; the
        // files and the token are checked by runDeprovision, in that order.
        await checkFolder(dir);
        // As for plan, apply and adopt: the flag, else $CERBY_OKTA_OKTA_URL, else the workspace's org.
        const oktaUrlFrom = flags.oktaUrl !== undefined ? "--okta-url" : deps.env.CERBY_OKTA_OKTA_URL ? "CERBY_OKTA_OKTA_URL" : undefined;
        const oktaUrl = oktaUrlFrom === undefined ? undefined : checkedUrl(flags.oktaUrl ?? deps.env.CERBY_OKTA_OKTA_URL!, oktaUrlFrom);
        const project = await resolveProject({ stateDir: flags.stateDir }, { env: deps.env });
        const cerby =
          flags.apply && apiKey && (flags.workspace || flags.baseUrl) ? { baseUrl: cerbyBaseUrl(flags), apiKey } : undefined;
        await runDeprovision(
          {
            dir,
            apply: flags.apply === true,
            json: flags.json === true,
            jsonFile: flags.jsonFile,
            oktaUrl,
            oktaUrlFrom,
            workspacesDir: project.workspacesDir,
            stateDir: project.stateDir,
            full: flags.full === true,
            oktaCredentials: () => oktaCredentialsFromEnv(deps.env),
            cerby,
            concurrency: flags.concurrency,
            policy: { maxTotalWaitMs: flags.maxWait * 1000, maxRetries: flags.maxRetries, requestTimeoutMs: flags.timeout * 1000 },
          },
          {
            clock: deps.clock,
            stdout: redactingWriter(deps.stdout, redact),
            stderr: redactingWriter(deps.stderr, redact),
            progress: progressEnabled(flags.progress, deps.env),
            fetch: deps.fetch,
          },
        );
      } catch (error) {
        throw redactError(error, redact);
      }
    });
}

interface DeprovisionFlags extends HttpFlags {
  apply?: boolean;
  oktaUrl?: string;
  full?: boolean;
  stateDir?: string;
  workspace?: string;
  baseUrl?: string;
  json?: boolean;
  jsonFile?: string;
}

/** The token travels with every request: https only, except to this machine (tests). */
function checkedUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a URL`);
  }
  const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    throw new UsageError(`${flag} must be https:// (plain http only for localhost)`);
  }
  return url.href;
}
