// `npm run sandbox [-- options]`: try cerby-okta end to end without an Okta org.
// See docs/sandbox.md. Progress goes to stderr; URLs, shell set-up and (with
// --once) the dashboards go to stdout.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderText } from "./page.ts";
import { resolveProject, WORKSPACES_ENV } from "../src/config/project.ts";
import { DEFAULT_CERBY_PORT, DEFAULT_PORT, DEFAULT_TOKEN, startSandbox, syncOnce, type Sandbox } from "./sandbox.ts";

const USAGE = `Usage: npm run sandbox -- [options]

Starts a local Okta emulator seeded with the people of the workspaces, runs
\`cerby-okta plan\` and \`apply\` against it with the real terraform binary,
then serves every person's Okta dashboard as a web page until Ctrl-C.

The project is found as cerby-okta finds it (cerby-okta.yaml in this folder
or above); its workspaces and shards: are used, never its state: the sandbox
keeps a local state, stacks, plans and status in its working folder,
whatever backend: says.

Options:
  --port <n>          port on 127.0.0.1 for the page and the Okta API (default ${DEFAULT_PORT}; 0 = any free port)
  --workspaces <dir>  workspaces to seed from and sync (default: $${WORKSPACES_ENV}, else workspaces/ in the project folder)
  --dir <dir>         working folder: stacks, saved plans, status, Terraform state (default: .sandbox/ in the project folder); wiped at start
  --token <token>     API token the emulator accepts (default ${DEFAULT_TOKEN})
  --cerby             also serve a Cerby API emulator seeded from the workspaces, for \`cerby-okta snapshot\` and
                      \`deprovision --apply\`; prints its URL and a key per workspace (its people are seeded into Okta too)
  --cerby-port <n>    port on 127.0.0.1 for the Cerby API emulator (default ${DEFAULT_CERBY_PORT}; 0 = any free port)
  --cerby-workspaces <dir>  what the Cerby API emulator serves (default: the workspaces synced)
  --oauth             authenticate Terraform and cerby-okta as an OAuth API service app (a key pair made
                      at start, its key in the working folder) granted exactly the README's apply scopes,
                      instead of with the API token; the emulator enforces each route's scope
  --once              do everything, print each person's dashboard as text, exit
  --json <file>       with --once: also write the dashboards as JSON
  -h, --help          this help
`;

function parse() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: String(DEFAULT_PORT) },
      workspaces: { type: "string" },
      dir: { type: "string" },
      token: { type: "string", default: DEFAULT_TOKEN },
      cerby: { type: "boolean", default: false },
      "cerby-port": { type: "string", default: String(DEFAULT_CERBY_PORT) },
      "cerby-workspaces": { type: "string" },
      oauth: { type: "boolean", default: false },
      once: { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = portNumber("--port", values.port);
  const cerbyPort = portNumber("--cerby-port", values["cerby-port"]);
  if (values.json && !values.once) throw new Error("--json only goes with --once");
  if (values["cerby-workspaces"] && !values.cerby) throw new Error("--cerby-workspaces only goes with --cerby");
  return { ...values, port, cerbyPort };
}

function portNumber(flag: string, text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag}: expected a port number, got ${JSON.stringify(text)}`);
  return port;
}

const log = (message: string) => process.stderr.write(`[sandbox] ${message}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  // Ctrl-C / SIGTERM: stop a running plan/apply cleanly, close the servers,
  // remove the temporary Terraform set-up. A second signal exits at once.
  const controller = new AbortController();
  let sandbox: Sandbox | undefined;
  let stopServing: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    log(`${signal}: shutting down`);
    controller.abort();
    stopServing?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const started = Date.now();
  try {
    // The one resolution every entry uses (src/config/project.ts): the same workspaces and shards as cerby-okta here.
    const project = await resolveProject({ workspaces: options.workspaces });
    sandbox = await startSandbox({
      port: options.port,
      project,
      dir: options.dir ?? path.join(project.project.dir, ".sandbox"),
      token: options.token,
      oauth: options.oauth === true,
      log,
      signal: controller.signal,
      ...(options.cerby ? { cerby: { port: options.cerbyPort, workspacesDir: options["cerby-workspaces"] } } : {}),
    });
    const shards = [...project.shardCounts].map(([workspace, count]) => `${workspace} in ${count}`).join(", ");
    log(`Okta API and dashboards at ${sandbox.url}`);
    log(
      `working folder ${sandbox.dir}: the sandbox's own local Terraform state, stacks, saved plans and status live there, never in the project's` +
        `${project.backend ? ` (its ${project.backend.type} backend in ${project.project.configFile} is not used)` : ""}` +
        `${shards ? `; shards as in the project: ${shards}` : ""}`,
    );
    await syncOnce(sandbox);
    if (controller.signal.aborted) return 130;
    log(`synced in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (options.once) {
      const dashboards = sandbox.dashboards();
      process.stdout.write(renderText(dashboards));
      if (options.json) {
        const { requestsByBucket, lastSyncRequests } = sandbox.pageModel();
        const rejected = lastSyncRequests.filter((entry) => entry.status >= 400 && entry.status < 500).length;
        writeFileSync(options.json, `${JSON.stringify({ url: sandbox.url, people: dashboards, requestsByBucket, lastSync: { requests: lastSyncRequests, rejected } }, null, 2)}\n`);
      }
      return 0;
    }

    process.stdout.write(
      [
        "",
        `cerby-okta sandbox is running (Ctrl-C to stop)`,
        `  dashboards:        ${sandbox.url}/`,
        `  dashboards (JSON): ${sandbox.url}/sandbox.json`,
        `  Okta API:          ${sandbox.url}/api/v1  (${options.oauth ? "OAuth: the service app in the exports below" : `token ${options.token}`})`,
        ...(sandbox.cerby
          ? [
              `  Cerby data:        ${sandbox.url}/cerby.json`,
              ...sandbox.cerby.offered.map(
                (offered) => `  Cerby API:         ${offered.baseUrl}  (${offered.workspace}; CERBY_API_KEY=${offered.key}, created by ${offered.creator}, sees ${offered.sees} of ${offered.accounts} accounts)`,
              ),
            ]
          : []),
        "",
        sandbox.shellSetup,
        "",
        "",
      ].join("\n"),
    );
    await new Promise<void>((resolve) => {
      stopServing = resolve;
      if (controller.signal.aborted) resolve();
    });
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    process.stderr.write(`sandbox: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await sandbox?.close();
  }
}

process.exitCode = await main();
