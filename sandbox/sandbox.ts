// The whole cerby-okta loop without an Okta org: the Okta emulator from the
// test harness, seeded with the people and IdP groups of the workspaces; the
// real `terraform` binary with the stand-in okta/okta provider; and the real
// CLI (`cerby-okta plan`, then `apply`) run as child processes against both.
//
// One front server on a fixed port (default 8787) serves the dashboard page at
// `/` and passes everything else (`/api/v1/...`) on to the emulator, which
// itself listens on an ephemeral port. So OKTA_EMULATOR_URL stays the same
// from one run to the next.
//
// The sandbox never touches the project's state: its working folder is a
// project of its own (a cerby-okta.yaml there, named by CERBY_OKTA_CONFIG for
// every command it runs), with a local state, stacks, saved plans and status
// inside it, whatever the project's `backend:` says. It keeps the project's
// workspaces and `shards:`, so sharding can be tried there. The emulator
// forgets everything when it stops, and the folder is wiped at every start:
// state and emulator start empty together.
import { newServiceApp } from "../harness/service-app.ts";
import { applyScopesFor } from "../src/okta-api/credentials.ts";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DEFAULT_CONFIG_FILE } from "../src/config/project-config.ts";
import { WORKSPACES_ENV, type ResolvedProject } from "../src/config/project.ts";
import { loadWorkspaces } from "../src/workspace/load.ts";
import type { Workspace } from "../src/workspace/model.ts";
import { startOktaEmulator, type OktaEmulator } from "../harness/okta-emulator.ts";
import { REPO_ROOT } from "../harness/repo-root.ts";
import { seedEmulator } from "../harness/seed.ts";
import { startCerbyEmulator, type CerbyEmulator, type OfferedKey } from "../harness/cerby-emulator/index.ts";
import { PROVIDER_HOSTS_ENV, startProviderHosts, type ProviderHosts } from "../harness/provider-hosts.ts";
import { createTerraformSandbox, requireTerraform, type TerraformSandbox } from "../harness/terraform-env.ts";
import { renderPage, type PageModel, type PersonDashboard } from "./page.ts";
import { proxyRequest } from "./proxy.ts";

export { REPO_ROOT };
export const CLI = path.join(REPO_ROOT, "bin", "cerby-okta.js");
export const DEFAULT_PORT = 8787;
export const DEFAULT_CERBY_PORT = 8788;
export const DEFAULT_TOKEN = "sandbox-token";
/** A file that marks a folder as the sandbox's own, so that it may be wiped. */
const MARKER = ".cerby-okta-sandbox";
/** Environment variables of the Terraform sandbox a user must export to run the CLI themselves. */
const EXPORTED = ["TF_CLI_CONFIG_FILE", PROVIDER_HOSTS_ENV, "OKTA_EMULATOR_URL", "CERBY_OKTA_OKTA_URL", "OKTA_API_TOKEN", "CERBY_OKTA_CONFIG", WORKSPACES_ENV, "TF_IN_AUTOMATION", "TF_INPUT", "CHECKPOINT_DISABLE"];
/** With --oauth, besides: the service app's credentials (OKTA_API_TOKEN is then exported empty). */
const EXPORTED_OAUTH = ["OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_API_SCOPES"];

export interface SandboxOptions {
  /** Front port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The project as every entry resolves it (src/config/project.ts): its workspaces are seeded and synced, with its shards; never its state. */
  project: ResolvedProject;
  /** Working folder: synthesized stacks, saved plans, Terraform state. Wiped at start. */
  dir: string;
  token: string;
  /**
   * Terraform and cerby-okta authenticate as an OAuth API service app holding
   * exactly the README's apply scopes, instead of with the API token.
   */
  oauth?: boolean;
  /** Progress messages (stderr). */
  log: (message: string) => void;
  /** Aborting stops a running `plan`/`apply` (SIGINT, Terraform's clean stop). */
  signal?: AbortSignal;
  /**
   * Also serve a Cerby API emulator on this port of 127.0.0.1, seeded from
   * `workspacesDir` (default: the project's workspaces); its people are seeded
   * into Okta too, as they would already be in a real org.
   */
  cerby?: { port: number; workspacesDir?: string };
}

/** The Cerby API emulator of `--cerby`, and the key offered for each workspace. */
export interface SandboxCerby {
  readonly emulator: CerbyEmulator;
  readonly offered: readonly OfferedKey[];
  /** Workspace ID -> the workspace it was seeded from. */
  readonly seededFrom: ReadonlyMap<string, Workspace>;
  /** Where its workspaces were seeded from. */
  readonly workspacesDir: string;
}

export interface Sandbox {
  /** The front URL: dashboard page at `/`, Okta API under `/api/v1`. */
  url: string;
  emulator: OktaEmulator;
  terraform: TerraformSandbox;
  /** With the `cerby` option. */
  cerby?: SandboxCerby;
  dir: string;
  /** What a user pastes into a shell to run cerby-okta against the sandbox. */
  shellSetup: string;
  dashboards(): PersonDashboard[];
  pageModel(): PageModel;
  /** From now on, the requests the emulator answers count as the last sync's. */
  markSync(): void;
  /** `cerby-okta <args>` as a child process with the sandbox environment, in `dir`; resolves to the exit code. */
  cli(args: string[], okCodes?: number[]): Promise<number>;
  close(): Promise<void>;
}

const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/**
 * Makes `dir` the sandbox's own project: wiped (when it is ours), with a
 * cerby-okta.yaml holding a local backend (so the state, stacks, plans and
 * status live in `dir`), the project's shards and okta/okta release. Returns the environment
 * that points cerby-okta and `cdktf synth` at it from any folder.
 */
export function prepareSandboxProject(dir: string, project: ResolvedProject): Record<string, string> {
  prepareDir(dir);
  const shards = Object.fromEntries(project.shardCounts);
  const config = {
    backend: { type: "local" },
    ...(project.shardCounts.size > 0 ? { shards } : {}),
    // The project's okta/okta release: the sandbox syncs with the stand-in playing it.
    oktaProvider: { version: project.oktaProviderVersion },
  };
  const file = path.join(dir, DEFAULT_CONFIG_FILE);
  writeFileSync(
    file,
    `# Written by \`npm run sandbox\`: the sandbox's state stays in this folder, whatever ${JSON.stringify(project.project.configFile ?? "the project's configuration")} says about backend:.\n` +
      `# Shards and the okta/okta release as in the project. Wiped at every start.\n${JSON.stringify(config, null, 2)}\n`,
  );
  return { CERBY_OKTA_CONFIG: file, [WORKSPACES_ENV]: project.workspacesDir };
}

/** Clears `dir` when it is ours (or absent/empty); refuses any other folder. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(path.join(dir, MARKER))) {
      throw new Error(`${dir} is not empty and was not made by the sandbox (no ${MARKER} in it): choose another --dir`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, MARKER),
    "Working folder of `npm run sandbox`: stacks, saved plans and Terraform state for the in-memory Okta emulator.\n" +
      "Wiped at every start (the emulator forgets everything when it stops).\n",
  );
  // So that `cdktf synth|diff|deploy` run here use the sandbox's stacks and state, as cerby-okta does.
  writeFileSync(
    path.join(dir, "cdktf.json"),
    `${JSON.stringify({ language: "typescript", app: `node ${JSON.stringify(path.join(REPO_ROOT, "dist", "main.js"))}`, projectId: "cerby-okta-sandbox", sendCrashReports: "false" }, null, 2)}\n`,
  );
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  try {
    requireTerraform();
  } catch {
    throw new Error(
      "terraform 1.x not found on PATH: the sandbox runs the real terraform binary (offline, with a stand-in okta/okta provider). Install Terraform and try again",
    );
  }
  const dir = path.resolve(options.dir);
  const { workspacesDir } = options.project;
  const workspaces = await loadWorkspaces(workspacesDir);
  const projectEnv = prepareSandboxProject(dir, options.project);

  // A throwaway key pair made per start, known only to this emulator; the key file lets the printed exports stay short.
  const serviceApp = options.oauth ? newServiceApp([...applyScopesFor(options.project.oktaProviderVersion)]) : undefined;
  const keyFile = path.join(dir, "service-app-key.pem");
  if (serviceApp) writeFileSync(keyFile, serviceApp.privateKey, { mode: 0o600 });
  const cerbyDir = options.cerby ? path.resolve(options.cerby.workspacesDir ?? workspacesDir) : undefined;
  const cerbyWorkspaces = cerbyDir === undefined ? [] : cerbyDir === workspacesDir ? workspaces : await loadWorkspaces(cerbyDir);

  const emulator = await startOktaEmulator({ token: options.token, ...(serviceApp ? { serviceApps: [serviceApp.registration] } : {}) });
  // The Cerby side's people exist in Okta too (seeded once: the same login is one person).
  const seeded = cerbyDir === undefined || cerbyDir === workspacesDir ? workspaces : [...workspaces, ...cerbyWorkspaces];
  const people = seedEmulator(emulator, seeded, options.log);
  const groupCount = seeded.reduce((sum, workspace) => sum + workspace.teams.filter((team) => team.oktaGroupId).length, 0);
  options.log(
    `emulator: ${people.size} people, ${groupCount} IdP team group${groupCount === 1 ? "" : "s"} seeded from ${workspacesDir}` +
      `${cerbyDir !== undefined && cerbyDir !== workspacesDir ? ` and ${cerbyDir}` : ""}`,
  );

  let front: http.Server | undefined;
  let terraform: TerraformSandbox | undefined;
  let providerHost: ProviderHosts | undefined;
  let cerby: SandboxCerby | undefined;
  const children = new Set<ReturnType<typeof spawn>>();
  const closeAll = async () => {
    for (const child of children) child.kill("SIGINT");
    if (front) {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front!.close(() => resolve()));
    }
    terraform?.cleanup();
    providerHost?.stop();
    await cerby?.emulator.close();
    await emulator.close();
  };

  let syncStart = 0;
  const markSync = () => {
    syncStart = emulator.requests.length;
  };
  try {
    if (options.cerby) {
      const started = await startCerbyEmulator({ workspaces: cerbyWorkspaces, port: options.cerby.port }).catch((error: NodeJS.ErrnoException) => {
        throw error.code === "EADDRINUSE" ? new Error(`port ${options.cerby!.port} on 127.0.0.1 is in use (another sandbox?): choose another with --cerby-port`) : error;
      });
      const seededFrom = new Map(cerbyWorkspaces.map((workspace) => [workspace.settings.id, workspace]));
      cerby = { ...started, seededFrom, workspacesDir: cerbyDir! };
      options.log(`Cerby API emulator at ${started.emulator.origin}: ${started.offered.map((key) => key.workspace).join(", ")} seeded from ${cerbyDir}`);
    }
    let model: () => PageModel = () => {
      throw new Error("not ready");
    };
    front = http.createServer((request, response) => {
      const pathname = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
      if ((request.method === "GET" || request.method === "HEAD") && (pathname === "/" || pathname === "/index.html")) {
        response.writeHead(200, {
          "Content-Type": "text/html; charset=utf-8",
          // Defence in depth: even a label that slipped through escaping could run nothing.
          "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
          "Cache-Control": "no-store",
        });
        response.end(renderPage(model()));
        return;
      }
      if (request.method === "GET" && pathname === "/sandbox.json") {
        response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
        const { people: dashboards, requestsByBucket, lastSyncRequests } = model();
        const rejected = lastSyncRequests.filter((entry) => entry.status >= 400 && entry.status < 500).length;
        response.end(`${JSON.stringify({ people: dashboards, requestsByBucket, lastSync: { requests: lastSyncRequests, rejected } }, null, 2)}\n`);
        return;
      }
      if (request.method === "GET" && pathname === "/cerby.json") {
        response.writeHead(cerby ? 200 : 404, { "Content-Type": "application/json", "Cache-Control": "no-store" });
        response.end(`${JSON.stringify(cerby ? cerbyData(cerby) : { error: "no Cerby API emulator: start the sandbox with --cerby" }, null, 2)}\n`);
        return;
      }
      if (request.method === "POST" && pathname === "/sandbox/sync") {
        // A person about to run plan and apply from another shell starts a fresh request list.
        markSync();
        response.writeHead(204).end();
        return;
      }
      proxyRequest(request, response, emulator);
    });
    // Connections stay open between requests, as the emulator's (and a real org's) do; stop() closes them.
    front.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      front!.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new Error(`port ${options.port} on 127.0.0.1 is in use (another sandbox?): choose another with --port`) : error),
      );
      front!.listen(options.port, "127.0.0.1", () => resolve());
    });
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

    terraform = await createTerraformSandbox({
      emulatorUrl: url,
      token: options.token,
      providerVersion: options.project.oktaProviderVersion,
      ...(serviceApp ? { env: { ...serviceApp.env(), OKTA_API_PRIVATE_KEY: keyFile } } : {}),
    });
    // The stand-in provider is served by a host of the sandbox's own (as in the tests): no Node start-up per Terraform
    // command. A wrapper that cannot reach the host starts the provider itself.
    providerHost = await startProviderHosts(1);
    terraform.env[PROVIDER_HOSTS_ENV] = providerHost.ports;
    // cerby-okta's own requests (the first-sync check, the check after apply) go to the emulator too.
    // cerby-okta.yaml of the sandbox (CERBY_OKTA_CONFIG) and the workspaces folder, for every command run here or from the printed lines.
    const env: Record<string, string> = { ...terraform.env, CERBY_OKTA_OKTA_URL: url, ...projectEnv };
    const shellSetup = [
      "# in another shell, from anywhere (CERBY_OKTA_CONFIG keeps state, stacks, plans and status in the sandbox folder):",
      ...[...EXPORTED, ...(serviceApp ? EXPORTED_OAUTH : [])].map((name) => `export ${name}=${shellQuote(env[name] ?? "")}`),
      `cd ${shellQuote(dir)}   # the sandbox's own project folder`,
      `curl -s -X POST ${url}/sandbox/sync   # the page then lists the requests of the next sync only`,
      `node ${shellQuote(CLI)} plan`,
      `node ${shellQuote(CLI)} apply`,
      `node ${shellQuote(CLI)} reconcile   # add --apply to repair drift`,
      "# or cdktf, on the same stacks and state (see docs/sandbox.md):",
      "export TF_CLI_ARGS_plan=-refresh=false TF_CLI_ARGS_apply=-refresh=false",
      `${shellQuote(path.join(REPO_ROOT, "node_modules", ".bin", "cdktf"))} deploy '*' --auto-approve`,
      `node ${shellQuote(CLI)} status   # R9, as the deploy recorded it in the state ($CERBY_OKTA_WORKSPACES is read here too)`,
      ...(cerby ? cerbyShellLines(cerby, projectEnv[WORKSPACES_ENV]!, dir) : []),
    ].join("\n");

    const dashboards = (): PersonDashboard[] =>
      [...people.values()]
        .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0))
        .map((person) => {
          const user = emulator.state.users.get(person.oktaUserId);
          return {
            login: person.login,
            oktaUserId: person.oktaUserId,
            status: user?.status ?? "DELETED",
            cerbyUsers: person.cerbyUsers,
            chiclets: user
              ? emulator.appLinksFor(person.oktaUserId).map((link) => ({
                  label: link.label,
                  url: emulator.state.apps.get(link.appInstanceId)?.url ?? "",
                  appId: link.appInstanceId,
                }))
              : [],
          };
        });
    model = () => ({
      people: dashboards(),
      lastSyncRequests: emulator.requests
        .slice(Math.min(syncStart, emulator.requests.length))
        .map((entry) => ({ method: entry.method, route: entry.route, status: entry.status, bucket: entry.bucket })),
      requestsByBucket: emulator.countsByBucket(),
      requestsByRoute: emulator.countsByRoute(),
      // The page shows no Cerby key: they are printed in the terminal only.
      shellSetup: (cerby?.offered ?? []).reduce((text, offered) => text.split(offered.key).join(`<the ${offered.workspace} key printed in the terminal>`), shellSetup),
      emulatorUrl: url,
      ...(cerby ? { cerby: cerby.offered.map(({ key: _key, ...shown }) => shown) } : {}),
    });

    const cli = (args: string[], okCodes = [0]) =>
      new Promise<number>((resolve, reject) => {
        options.log(`$ cerby-okta ${args.join(" ")}`);
        // Output goes to our stderr: stdout stays for what the sandbox prints itself.
        const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ["ignore", 2, 2] });
        children.add(child);
        const onAbort = () => child.kill("SIGINT");
        options.signal?.addEventListener("abort", onAbort);
        child.once("error", reject);
        child.once("exit", (code, signal) => {
          children.delete(child);
          options.signal?.removeEventListener("abort", onAbort);
          const exitCode = code ?? 1;
          if (okCodes.includes(exitCode)) resolve(exitCode);
          else reject(new Error(`cerby-okta ${args[0]} failed (exit ${code ?? signal}); its output is above`));
        });
      });

    return {
      url,
      emulator,
      terraform,
      ...(cerby ? { cerby } : {}),
      dir,
      shellSetup,
      dashboards,
      pageModel: () => model(),
      markSync,
      cli,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * What `/cerby.json` shows: per workspace, its API's base URL, every item the
 * emulator holds (as the API serves them), and which accounts the offered key
 * sees. Never a key.
 */
function cerbyData(cerby: SandboxCerby): unknown {
  return cerby.offered.map((offered) => {
    const workspace = cerby.emulator.workspaces.get(offered.workspace)!;
    const owner = cerby.emulator.visibleAccounts(workspace, offered.creator).map((account) => account.id);
    return { workspace: offered.workspace, baseUrl: offered.baseUrl, keyCreator: offered.creator, keySees: owner, data: workspace.data };
  });
}

/**
 * The lines that snapshot each workspace from the Cerby emulator and
 * deprovision with it. A workspace kept by hand in YAML is snapshotted into
 * the sandbox folder instead (to compare, or to see a refusal), never beside
 * its files.
 */
function cerbyShellLines(cerby: SandboxCerby, workspacesDir: string, sandboxDir: string): string[] {
  const lines = ["# the Cerby API emulator (--cerby): one key per workspace, created by the user who owns the most accounts"];
  for (const offered of cerby.offered) {
    const workspace = cerby.seededFrom.get(offered.workspace)!;
    const folder = path.join(workspacesDir, path.basename(workspace.folder));
    const keptByHand = existsSync(folder) && readdirSync(folder).some((name) => /\.(ya?ml|json)$/i.test(name) && name !== "snapshot.json");
    const out = keptByHand ? path.join(sandboxDir, "cerby-snapshots", path.basename(workspace.folder), "snapshot.json") : path.join(folder, "snapshot.json");
    const { okta } = workspace.settings;
    lines.push(
      `#   ${offered.workspace}: key of ${offered.creator}, who owns ${offered.sees} of its ${offered.accounts} accounts` +
        `${offered.sees < offered.accounts ? " (a snapshot with it is refused: it misses accounts)" : ""}` +
        `${keptByHand ? `; kept by hand in ${folder}, so the snapshot goes to the sandbox folder` : ""}`,
      `export CERBY_API_KEY=${shellQuote(offered.key)}`,
      ...(existsSync(path.dirname(out)) ? [] : [`mkdir -p ${shellQuote(path.dirname(out))}`]),
      `node ${shellQuote(CLI)} snapshot --base-url ${shellQuote(offered.baseUrl)} --out ${shellQuote(out)}` +
        (keptByHand || !existsSync(out)
          ? ` --workspace-id ${shellQuote(offered.workspace)} --okta-org ${shellQuote(okta.orgName)} --okta-base-url ${shellQuote(okta.baseUrl)}` +
            (workspace.settings.extendedAccountAccess ? " --extended-account-access" : "")
          : ""),
      `node ${shellQuote(CLI)} deprovision ${shellQuote(folder)}${keptByHand ? "" : ` --base-url ${shellQuote(offered.baseUrl)}`}   # add --apply to remove people deactivated in Okta`,
    );
  }
  return lines;
}

/** Runs the example loop: `plan` (exit 0 no changes, 2 changes), then `apply`, on the sandbox's project (its environment names the workspaces). */
export async function syncOnce(sandbox: Sandbox): Promise<void> {
  sandbox.markSync();
  await sandbox.cli(["plan"], [0, 2]);
  await sandbox.cli(["apply"]);
}
