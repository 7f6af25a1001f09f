/**
 * Stand-in for the okta/okta Terraform provider (registry.terraform.io/okta/okta),
 * for tests: serves go-plugin + tfplugin6 over gRPC and talks to the Okta
 * Management API (in tests, the emulator at OKTA_EMULATOR_URL).
 *
 * Nothing but the go-plugin handshake line may ever be written to stdout.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { log } from "./log.ts";
import { generateCertificate } from "./tls.ts";
import { OktaClient, type ClientConfig } from "./okta-client.ts";
import { DATA_SOURCES, RESOURCES } from "./resources.ts";
import { loadSchema, schemaToProto } from "./schema.ts";
import {
  conform,
  decodeValue,
  deepEqual,
  emptyObject,
  encodeValue,
  isObj,
  markComputedUnknown,
  resolveUnknowns,
  type Obj,
  type Value,
} from "./values.ts";

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

function moduleDir(): string {
  if (process.env.OKTA_STANDIN_DIR) return process.env.OKTA_STANDIN_DIR;
  return dirname(fileURLToPath(import.meta.url));
}

// ---------------------------------------------------------------- diagnostics

type Diag = { severity: "ERROR" | "WARNING"; summary: string; detail: string; attribute?: unknown };
const errorDiag = (summary: string, detail = ""): Diag => ({ severity: "ERROR", summary, detail });

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- provider state

const dir = moduleDir();
const schema = loadSchema(dir);
let client: OktaClient | null = null;

function requireClient(): OktaClient {
  if (!client) throw new Error("provider not configured");
  return client;
}

function configure(config: Obj): Diag[] {
  const s = (k: string) => (typeof config[k] === "string" && config[k] !== "" ? (config[k] as string) : null);
  const n = (k: string, d: number) => (typeof config[k] === "number" ? (config[k] as number) : d);
  const orgName = s("org_name") ?? process.env.OKTA_ORG_NAME ?? null;
  const baseUrl = s("base_url") ?? process.env.OKTA_BASE_URL ?? "okta.com";
  const token = s("api_token") ?? process.env.OKTA_API_TOKEN ?? null;
  const url = process.env.OKTA_EMULATOR_URL || (orgName ? `https://${orgName}.${baseUrl}` : null);
  if (!url) return [errorDiag("Invalid provider configuration", "org_name is required (or OKTA_ORG_NAME)")];
  if (!token) {
    return [
      errorDiag(
        "Invalid provider configuration",
        "api_token is required (or OKTA_API_TOKEN); this stand-in provider supports only API tokens",
      ),
    ];
  }
  const cfg: ClientConfig = {
    baseUrl: url.replace(/\/+$/, ""),
    token,
    backoff: config.backoff === false ? false : true,
    minWaitSeconds: n("min_wait_seconds", 30),
    maxWaitSeconds: n("max_wait_seconds", 300),
    maxRetries: n("max_retries", 5),
    requestTimeoutSeconds: n("request_timeout", 0),
  };
  client = new OktaClient(cfg);
  return [];
}

// ---------------------------------------------------------------- RPC handlers

const dv = (v: Value) => ({ msgpack: encodeValue(v) });
const rd = (d: { msgpack?: Buffer; json?: Buffer } | null | undefined): Value => decodeValue(d?.msgpack);

function resourceBlock(type: string) {
  const r = schema.resources[type];
  if (!r) throw new Error(`unknown resource type ${type}`);
  return r.block;
}

function capabilities() {
  return { plan_destroy: false, get_provider_schema_optional: true, move_resource_state: false };
}

type Handler = (req: any) => Promise<any> | any;

const handlers: Record<string, Handler> = {
  GetMetadata: () => ({
    server_capabilities: capabilities(),
    diagnostics: [],
    data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
    resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
  }),

  GetProviderSchema: () => ({
    provider: schemaToProto(0, schema.provider),
    resource_schemas: Object.fromEntries(
      Object.entries(schema.resources).map(([k, v]) => [k, schemaToProto(v.version, v.block)]),
    ),
    data_source_schemas: Object.fromEntries(
      Object.entries(schema.dataSources).map(([k, v]) => [k, schemaToProto(v.version, v.block)]),
    ),
    diagnostics: [],
    server_capabilities: capabilities(),
  }),

  ValidateProviderConfig: () => ({ diagnostics: [] }),
  ValidateResourceConfig: () => ({ diagnostics: [] }),
  ValidateDataResourceConfig: () => ({ diagnostics: [] }),
  GetFunctions: () => ({ diagnostics: [] }),
  StopProvider: () => ({ Error: "" }),

  ConfigureProvider: (req) => {
    const config = rd(req.config);
    return { diagnostics: configure(isObj(config) ? config : {}) };
  },

  UpgradeResourceState: (req) => {
    const block = resourceBlock(req.type_name);
    const json = req.raw_state?.json as Buffer | undefined;
    if (!json || json.length === 0) {
      return { diagnostics: [errorDiag("Unsupported state format", "only JSON state can be upgraded")] };
    }
    return { upgraded_state: dv(conform(block, JSON.parse(json.toString("utf8")))), diagnostics: [] };
  },

  ReadResource: async (req) => {
    const block = resourceBlock(req.type_name);
    const current = rd(req.current_state);
    if (!isObj(current)) return { new_state: dv(null), diagnostics: [], private: req.private };
    const impl = RESOURCES[req.type_name];
    if (!impl) return { new_state: dv(current), diagnostics: [], private: req.private };
    try {
      const next = await impl.read(requireClient(), current);
      return { new_state: dv(next === null ? null : conform(block, next)), diagnostics: [], private: req.private };
    } catch (e) {
      return { diagnostics: [errorDiag(`failed to read ${req.type_name}`, errorText(e))] };
    }
  },

  PlanResourceChange: (req) => {
    const block = resourceBlock(req.type_name);
    const prior = rd(req.prior_state);
    const proposed = rd(req.proposed_new_state);
    const config = rd(req.config);
    if (!isObj(proposed)) return { planned_state: dv(null), requires_replace: [], diagnostics: [] };
    if (!isObj(prior)) {
      const planned = markComputedUnknown(block, proposed, isObj(config) ? config : null);
      return { planned_state: dv(planned), requires_replace: [], diagnostics: [] };
    }
    const forceNew = RESOURCES[req.type_name]?.forceNew ?? [];
    const requires_replace = forceNew
      .filter((k) => !deepEqual(prior[k] ?? null, proposed[k] ?? null))
      .map((k) => ({ steps: [{ attribute_name: k }] }));
    return { planned_state: dv(proposed), requires_replace, planned_private: req.prior_private, diagnostics: [] };
  },

  ApplyResourceChange: async (req) => {
    const block = resourceBlock(req.type_name);
    const prior = rd(req.prior_state);
    const planned = rd(req.planned_state);
    const impl = RESOURCES[req.type_name];
    if (!impl) {
      return {
        new_state: dv(isObj(prior) ? prior : null),
        diagnostics: [errorDiag(`${req.type_name} is schema-only in the stand-in okta provider`, "not implemented")],
      };
    }
    try {
      const c = requireClient();
      if (!isObj(planned)) {
        if (isObj(prior)) await impl.delete(c, prior);
        return { new_state: dv(null), diagnostics: [] };
      }
      const result = isObj(prior) ? await impl.update(c, prior, planned) : await impl.create(c, planned);
      return { new_state: dv(resolveUnknowns(conform(block, result), null)), diagnostics: [] };
    } catch (e) {
      const what = !isObj(planned) ? "delete" : isObj(prior) ? "update" : "create";
      return {
        new_state: dv(isObj(prior) ? prior : null),
        diagnostics: [errorDiag(`failed to ${what} ${req.type_name}`, errorText(e))],
      };
    }
  },

  ImportResourceState: (req) => {
    const block = resourceBlock(req.type_name);
    const state = emptyObject(block);
    const id: string = req.id;
    state.id = id;
    if (req.type_name === "okta_group_memberships") state.group_id = id;
    if (req.type_name === "okta_app_group_assignments") state.app_id = id;
    if (req.type_name === "okta_app_group_assignment") {
      const [appId, groupId] = id.split("/");
      state.app_id = appId ?? null;
      state.group_id = groupId ?? null;
    }
    if (req.type_name === "okta_group_memberships") state.track_all_users = true;
    return { imported_resources: [{ type_name: req.type_name, state: dv(state), private: Buffer.alloc(0) }], diagnostics: [] };
  },

  ReadDataSource: async (req) => {
    const ds = schema.dataSources[req.type_name];
    const impl = DATA_SOURCES[req.type_name];
    if (!ds || !impl) return { diagnostics: [errorDiag(`unknown data source ${req.type_name}`)] };
    const config = rd(req.config);
    try {
      const state = await impl.read(requireClient(), conform(ds.block, config));
      return { state: dv(resolveUnknowns(conform(ds.block, state), null)), diagnostics: [] };
    } catch (e) {
      return { diagnostics: [errorDiag(`failed to read data source ${req.type_name}`, errorText(e))] };
    }
  },
};

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
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });
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
  });
}

main();
