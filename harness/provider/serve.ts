/**
 * One stand-in provider process, as Terraform sees it: the go-plugin checks
 * of its environment, a tfplugin6 gRPC server on a Unix socket of its own
 * (mTLS when Terraform asks for it), and the controller's Shutdown. A process
 * of its own runs one (main.ts); the provider host runs one per connection
 * from a wrapper (host.ts), with that wrapper's environment.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createHandlers, type Handler } from "./handlers.ts";
import { errorText } from "./http/sdk-errors.ts";
import { withLogSink } from "./log.ts";
import { loadSchema } from "./schema.ts";
import { generateCertificate } from "./tls.ts";
import { standInRelease, standInVersion } from "./version.ts";
import { REPO_ROOT } from "../repo-root.ts";

export type Env = Record<string, string | undefined>;

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/** What go-plugin's server prints and exits with when its environment is not Terraform's. */
export class PluginRefusal extends Error {}

/** Where schema.json and the .proto files are: the source folder harness/provider, also when running compiled from dist/. */
const sourceDir = (env: Env): string => env.OKTA_STANDIN_DIR || join(REPO_ROOT, "harness", "provider");

function serverCertificate(env: Env): { certPem: string; keyPem: string } {
  const cached = env.OKTA_STANDIN_CERT_DIR;
  if (cached && existsSync(join(cached, "cert.pem")) && existsSync(join(cached, "key.pem"))) {
    return { certPem: readFileSync(join(cached, "cert.pem"), "utf8"), keyPem: readFileSync(join(cached, "key.pem"), "utf8") };
  }
  const tmp = mkdtempSync(join(tmpdir(), "okta-standin-cert-"));
  try {
    generateCertificate(tmp);
    return { certPem: readFileSync(join(tmp, "cert.pem"), "utf8"), keyPem: readFileSync(join(tmp, "key.pem"), "utf8") };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** go-plugin's AutoMTLS: Terraform passes its client certificate; the handshake line carries ours. */
function setupTls(env: Env): { creds: grpc.ServerCredentials; certDerB64: string } | null {
  const clientCert = env.PLUGIN_CLIENT_CERT;
  if (!clientCert) return null;
  const { certPem, keyPem } = serverCertificate(env);
  const der = Buffer.from(certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""), "base64");
  return {
    creds: grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }], true),
    certDerB64: der.toString("base64").replace(/=+$/, ""),
  };
}

type Services = { provider: grpc.ServiceDefinition; controller: grpc.ServiceDefinition };
const servicesByDir = new Map<string, Services>();

/** The gRPC service definitions (read-only, so a host loads them once). */
function services(dir: string): Services {
  let loaded = servicesByDir.get(dir);
  if (!loaded) {
    const opts: protoLoader.Options = { keepCase: true, defaults: true, longs: Number, enums: String, oneofs: true };
    const tf = grpc.loadPackageDefinition(protoLoader.loadSync(join(dir, "tfplugin6.proto"), opts)) as any;
    const ctl = grpc.loadPackageDefinition(protoLoader.loadSync(join(dir, "grpc_controller.proto"), opts)) as any;
    loaded = { provider: tf.tfplugin6.Provider.service, controller: ctl.plugin.GRPCController.service };
    servicesByDir.set(dir, loaded);
  }
  return loaded;
}

export interface ProviderProcess {
  /** The go-plugin handshake line, without its newline: all that goes to stdout. */
  handshake: string;
  /** Stops serving and removes the socket (the process is gone). */
  stop(): void;
}

export interface ProviderProcessOptions {
  env: Env;
  /** The process's stderr. */
  writeLog: (line: string) => void;
  /** Aborted when the process is gone: its RPCs then make no further request. */
  ended?: AbortSignal;
  /** Terraform's Shutdown was answered: the process exits. */
  onShutdown: () => void;
}

/** Starts one provider process's server; throws PluginRefusal when the environment is not a plugin's. */
export async function serveProviderProcess(options: ProviderProcessOptions): Promise<ProviderProcess> {
  const { env, writeLog } = options;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new PluginRefusal(
      "This binary is a plugin. These are not meant to be executed directly.\n" +
        "Please execute the program that consumes these plugins, which will\n" +
        "load any plugins automatically\n",
    );
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? "6").split(",").map((v) => v.trim());
  if (!versions.includes("6")) throw new PluginRefusal(`unsupported plugin protocol versions: ${versions.join(",")} (need 6)\n`);

  const dir = sourceDir(env);
  const version = standInVersion(env);
  const handlers = createHandlers(loadSchema(dir, version), standInRelease(version), env, options.ended);
  const quiet = env.OKTA_STANDIN_QUIET === "1";
  const logLine = (line: string) => void (quiet || writeLog(line));
  const wrap =
    (name: string, fn: Handler): grpc.handleUnaryCall<any, any> =>
    (call, callback) => {
      withLogSink(logLine, () =>
        Promise.resolve()
          .then(() => fn(call.request))
          .then(
            (res) => callback(null, res),
            (e) => {
              logLine(`[okta-standin] ${name} failed: ${e instanceof Error ? e.stack : e}\n`);
              callback({ code: grpc.status.INTERNAL, details: errorText(e) } as grpc.ServiceError, null);
            },
          ),
      );
    };

  const { provider, controller } = services(dir);
  // Channelz (grpc-js's call statistics, on by default) costs time on each of the thousands of calls a plan makes; nothing reads it here.
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024, "grpc.enable_channelz": 0 });
  server.addService(provider, Object.fromEntries(Object.entries(handlers).map(([k, fn]) => [k, wrap(k, fn)])) as grpc.UntypedServiceImplementation);
  const sockDir = mkdtempSync(join(tmpdir(), "okta-standin-"));
  const sock = join(sockDir, "plugin.sock");
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    server.forceShutdown();
    rmSync(sockDir, { recursive: true, force: true });
  };
  server.addService(controller, {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      setTimeout(() => {
        stop();
        options.onShutdown();
      }, 5);
    },
  });

  try {
    const tls = setupTls(env);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${sock}`, tls ? tls.creds : grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`failed to listen on ${sock}: ${err.message}`)) : resolve())),
    );
    return { handshake: `1|6|unix|${sock}|grpc|${tls ? tls.certDerB64 : ""}`, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
