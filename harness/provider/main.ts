/**
 * Stand-in for the okta/okta Terraform provider (registry.terraform.io/okta/okta),
 * for tests: serves go-plugin + tfplugin6 over gRPC and talks to the Okta
 * Management API (in tests, the emulator at OKTA_EMULATOR_URL).
 *
 * Nothing but the go-plugin handshake line may ever be written to stdout.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createHandlers, type Handler } from "./handlers.ts";
import { log } from "./log.ts";
import { loadSchema } from "./schema.ts";
import { generateCertificate } from "./tls.ts";
import { STANDIN_VERSION } from "./version.ts";
import { REPO_ROOT } from "../repo-root.ts";

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/** Where schema.json and the .proto files are: the source folder harness/provider, also when running compiled from dist/. */
function moduleDir(): string {
  return process.env.OKTA_STANDIN_DIR || join(REPO_ROOT, "harness", "provider");
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const dir = moduleDir();
const handlers = createHandlers(loadSchema(dir, STANDIN_VERSION));

// ---------------------------------------------------------------- TLS

interface Tls {
  creds: grpc.ServerCredentials;
  certDerB64: string;
}

function serverCertificate(): { certPem: string; keyPem: string } {
  const cached = process.env.OKTA_STANDIN_CERT_DIR;
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

function setupTls(): Tls | null {
  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  if (!clientCert) return null;
  const { certPem, keyPem } = serverCertificate();
  const der = Buffer.from(certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""), "base64");
  return {
    creds: grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }],
      true,
    ),
    certDerB64: der.toString("base64").replace(/=+$/, ""),
  };
}

// ---------------------------------------------------------------- server

function loadProtos() {
  const opts: protoLoader.Options = { keepCase: true, defaults: true, longs: Number, enums: String, oneofs: true };
  const tf = grpc.loadPackageDefinition(protoLoader.loadSync(join(dir, "tfplugin6.proto"), opts)) as any;
  const ctl = grpc.loadPackageDefinition(protoLoader.loadSync(join(dir, "grpc_controller.proto"), opts)) as any;
  return { provider: tf.tfplugin6.Provider.service, controller: ctl.plugin.GRPCController.service };
}

function wrap(name: string, fn: Handler): grpc.handleUnaryCall<any, any> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (e) => {
          log(`${name} failed: ${e instanceof Error ? e.stack : e}`);
          callback({ code: grpc.status.INTERNAL, details: errorText(e) } as grpc.ServiceError, null);
        },
      );
  };
}

/**
 * Milliseconds from this process's start (the mirror's wrapper is exec'd, so
 * the same PID: from the shell's fork) to the handshake line: what a real
 * provider, a Go binary, would spend in milliseconds. Read from /proc (10 ms
 * ticks); elsewhere from Node's own start.
 */
function startupMs(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptimeSeconds = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    const ms = (uptimeSeconds - startTicks / 100) * 1000;
    if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  } catch {
    /* not Linux */
  }
  return Math.round(process.uptime() * 1000);
}

/** OKTA_STANDIN_STARTUP_LOG (benchmarks): one line per launch, its start-up in milliseconds. */
function recordStartup(): void {
  const file = process.env.OKTA_STANDIN_STARTUP_LOG;
  if (file) appendFileSync(file, `${startupMs()}\n`);
}

function main() {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This binary is a plugin. These are not meant to be executed directly.\n" +
        "Please execute the program that consumes these plugins, which will\n" +
        "load any plugins automatically\n",
    );
    process.exit(1);
  }
  const versions = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? "6").split(",").map((v) => v.trim());
  if (!versions.includes("6")) {
    process.stderr.write(`unsupported plugin protocol versions: ${versions.join(",")} (need 6)\n`);
    process.exit(1);
  }

  const { provider, controller } = loadProtos();
  // Channelz (grpc-js's call statistics, on by default) costs time on each of the thousands of calls a plan makes; nothing reads it here.
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024, "grpc.enable_channelz": 0 });
  server.addService(
    provider,
    Object.fromEntries(Object.entries(handlers).map(([k, fn]) => [k, wrap(k, fn)])) as grpc.UntypedServiceImplementation,
  );
  const sockDir = mkdtempSync(join(tmpdir(), "okta-standin-"));
  const sock = join(sockDir, "plugin.sock");
  const cleanup = () => rmSync(sockDir, { recursive: true, force: true });
  server.addService(controller, {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      setTimeout(() => {
        server.forceShutdown();
        cleanup();
        process.exit(0);
      }, 5);
    },
  });
  process.on("SIGINT", () => {
    /* Terraform handles interrupts; go-plugin plugins ignore SIGINT. */
  });
  process.on("SIGTERM", () => {
    cleanup();
    process.exit(0);
  });

  const tls = setupTls();
  server.bindAsync(`unix://${sock}`, tls ? tls.creds : grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) {
      process.stderr.write(`failed to listen on ${sock}: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`1|6|unix|${sock}|grpc|${tls ? tls.certDerB64 : ""}\n`);
    recordStartup();
  });
}

main();
