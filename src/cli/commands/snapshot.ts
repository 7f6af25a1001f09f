// `cerby-okta snapshot --out workspaces/<name>/snapshot.json`: the Cerby API
// to a format-v1 JSON file. The work is in src/cerby-api/snapshot.ts.
import type { Command } from "commander";
import { percent, positiveInteger } from "../number-options.ts";
import { addHttpOptions, type HttpFlags } from "../http-options.ts";
import { clockFromEnv, type Clock } from "../../http/http-client.ts";
import { defaultBaseUrl } from "../../cerby-api/mapping.ts";
import { progressEnabled } from "../../http/progress.ts";
import { runSnapshot } from "../../cerby-api/snapshot.ts";
import { DEFAULT_MAX_PAGES } from "../../cerby-api/client.ts";
import { redactError, redactingWriter, redactor } from "../../http/redact.ts";
import { UsageError } from "../../errors.ts";

/** What a test may replace; the CLI uses the process's own. */
export interface CommandDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
}

export function processDeps(): CommandDeps {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    clock: clockFromEnv(),
  };
}

export function register(program: Command, deps: CommandDeps = processDeps()): void {
  const command = program
    .command("snapshot")
    .description("read a workspace from the Cerby API and write it as a format-v1 JSON snapshot (key from CERBY_API_KEY)")
    .requiredOption("--out <file>", "snapshot to write, e.g. workspaces/acme/snapshot.json")
    .option("--workspace <name>", "Cerby workspace subdomain: the API is https://<name>.cerby.com/api/v1/")
    .option("--base-url <url>", "Cerby API base URL (instead of --workspace)")
    .option("--workspace-id <id>", "workspace.id, when the snapshot holds the settings (default: previous snapshot, else --workspace)")
    .option("--workspace-name <name>", "workspace.name (default: previous snapshot, else the ID)")
    .option("--okta-org <orgName>", "workspace.okta.orgName (default: previous snapshot)")
    .option("--okta-base-url <domain>", "workspace.okta.baseUrl, e.g. okta.com (default: previous snapshot)")
    .option("--extended-account-access", "set workspace.extendedAccountAccess to true (R1)")
    .option("--no-extended-account-access", "set workspace.extendedAccountAccess to false")
    .option("--login-url <template>", "workspace.loginUrl, {accountId} is replaced (default: previous snapshot)")
    .option("--page-size <n>", "items per page", positiveInteger, 100)
    .option("--max-pages <n>", "pages read per route at most", positiveInteger, DEFAULT_MAX_PAGES)
    .option("--max-account-loss <percent>", "refuse a snapshot missing more than this share of the previous accounts, or of people's access to them", percent, 10)
    .option("--allow-shrink", "write even if accounts or access were lost: fewer accounts than the previous snapshot, or than the workspace's own count")
    .option("--force", "write even if accounts or access were lost or the previous snapshot is unreadable");
  addHttpOptions(command).action(async (flags: SnapshotFlags) => {
      const apiKey = deps.env.CERBY_API_KEY;
      if (!apiKey) throw new UsageError("CERBY_API_KEY is not set: the Cerby API key is read only from the environment");
      // Whatever a server echoes, no line we print holds a credential.
      const redact = redactor([apiKey]);
      try {
        await snapshotWith(flags, apiKey, deps, redactingWriter(deps.stderr, redact));
      } catch (error) {
        throw redactError(error, redact);
      }
    });
}

function snapshotWith(flags: SnapshotFlags, apiKey: string, deps: CommandDeps, stderr: (text: string) => void): Promise<unknown> {
  return runSnapshot(
    {
      out: flags.out,
      baseUrl: cerbyBaseUrl(flags),
      apiKey,
      workspace: flags.workspace,
      settings: {
        workspaceId: flags.workspaceId,
        workspaceName: flags.workspaceName,
        oktaOrg: flags.oktaOrg,
        oktaBaseUrl: flags.oktaBaseUrl,
        extendedAccountAccess: flags.extendedAccountAccess,
        loginUrl: flags.loginUrl,
      },
      pageSize: flags.pageSize,
      concurrency: flags.concurrency,
      maxWaitMs: flags.maxWait * 1000,
      maxRetries: flags.maxRetries,
      timeoutMs: flags.timeout * 1000,
      maxPages: flags.maxPages,
      maxAccountLoss: flags.maxAccountLoss / 100,
      force: flags.force === true,
      allowShrink: flags.allowShrink === true,
    },
    { clock: deps.clock, stderr, progress: progressEnabled(flags.progress, deps.env), fetch: deps.fetch },
  );
}

interface SnapshotFlags extends HttpFlags {
  out: string;
  workspace?: string;
  baseUrl?: string;
  workspaceId?: string;
  workspaceName?: string;
  oktaOrg?: string;
  oktaBaseUrl?: string;
  extendedAccountAccess?: boolean;
  loginUrl?: string;
  pageSize: number;
  maxPages: number;
  maxAccountLoss: number;
  force?: boolean;
  allowShrink?: boolean;
}

/** `--base-url`, else `https://<--workspace>.cerby.com/api/v1/`. */
export function cerbyBaseUrl(flags: { workspace?: string; baseUrl?: string }): string {
  if (flags.baseUrl) {
    let url: URL;
    try {
      url = new URL(flags.baseUrl);
    } catch {
      throw new UsageError(`--base-url ${JSON.stringify(flags.baseUrl)} is not a URL`);
    }
    const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
      throw new UsageError(`--base-url must be https:// (plain http only for localhost): the API key travels with every request`);
    }
    return url.href;
  }
  if (flags.workspace) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(flags.workspace)) {
      throw new UsageError(`--workspace ${JSON.stringify(flags.workspace)} must be a subdomain such as acme`);
    }
    return defaultBaseUrl(flags.workspace);
  }
  throw new UsageError("pass --workspace <name> (https://<name>.cerby.com/api/v1/) or --base-url <url>");
}
