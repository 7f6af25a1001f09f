/**
 * The tfplugin6 RPCs of the stand-in okta/okta provider, with SDKv2's
 * semantics: validation and defaults from sdkv2/facts.ts, the legacy type
 * system (planned values may differ from config, as SDKv2 defaults do), and
 * what Terraform records after an operation that fails part-way: a create
 * that got an id is kept (Terraform taints it), an update records the plan
 * plus whatever the operation set, a failed delete keeps the object.
 */
import { ProviderContext, readSettings } from "./config.ts";
import { errorText } from "./http/sdk-errors.ts";
import { DATA_SOURCES, RESOURCES } from "./resources/index.ts";
import type { ProviderSchemaFile, SchemaBlock } from "./gen-schema.ts";
import { schemaToProto } from "./schema.ts";
import { DATA_SOURCE_FACTS, PROVIDER_FACTS, resourceFacts } from "./sdkv2/facts.ts";
import { planResourceChange, withDefaults } from "./sdkv2/plan.ts";
import { ResourceData, withoutUnknowns } from "./sdkv2/resource-data.ts";
import { validateConfig, type ValidationProblem } from "./sdkv2/validate.ts";
import type { StandInRelease } from "./version.ts";
import { conform, decodeValue, emptyObject, encodeValue, isObj, type Obj, type Value } from "./values.ts";

type Diag = { severity: "ERROR" | "WARNING"; summary: string; detail: string; attribute?: unknown };

const errorDiag = (summary: string, detail = ""): Diag => ({ severity: "ERROR", summary, detail });

const problemDiag = (p: ValidationProblem): Diag => ({
  ...errorDiag(p.summary),
  attribute: { steps: p.path.map((s) => (typeof s === "number" ? { element_key_int: s } : { attribute_name: s })) },
});

const dv = (v: Value) => ({ msgpack: encodeValue(v) });
const rd = (d: { msgpack?: Buffer } | null | undefined): Value => decodeValue(d?.msgpack);
const asObj = (v: Value): Obj | null => (isObj(v) ? v : null);

export type Handler = (req: any) => Promise<any> | any;

/** One provider process's RPCs: `env` is its environment, `ended` aborts when the process is gone. */
export function createHandlers(schema: ProviderSchemaFile, release: StandInRelease, env: Record<string, string | undefined>, ended?: AbortSignal): Record<string, Handler> {
  const RESOURCE_FACTS = resourceFacts(release.isV6);
  let context: ProviderContext | null = null;
  const provider = (): ProviderContext => {
    if (!context) throw new Error("provider not configured");
    return context;
  };
  const resourceBlock = (type: string): SchemaBlock => {
    const r = schema.resources[type];
    if (!r) throw new Error(`unknown resource type ${type}`);
    return r.block;
  };
  const capabilities = () => ({ plan_destroy: false, get_provider_schema_optional: true, move_resource_state: false });
  /** What Terraform records from `d`, shaped to the schema. */
  const recorded = (block: SchemaBlock, d: ResourceData): Value => {
    const state = d.state();
    return state === null ? null : withoutUnknowns(conform(block, state));
  };

  return {
    GetMetadata: () => ({
      server_capabilities: capabilities(),
      diagnostics: [],
      data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
      resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
    }),

    GetProviderSchema: () => ({
      provider: schemaToProto(0, schema.provider),
      resource_schemas: Object.fromEntries(Object.entries(schema.resources).map(([k, v]) => [k, schemaToProto(v.version, v.block)])),
      data_source_schemas: Object.fromEntries(Object.entries(schema.dataSources).map(([k, v]) => [k, schemaToProto(v.version, v.block)])),
      diagnostics: [],
      server_capabilities: capabilities(),
    }),

    ValidateProviderConfig: (req) => ({
      diagnostics: validateConfig(schema.provider, PROVIDER_FACTS, conform(schema.provider, rd(req.config))).map(problemDiag),
    }),
    ValidateResourceConfig: (req) => ({
      diagnostics: validateConfig(resourceBlock(req.type_name), RESOURCE_FACTS[req.type_name], conform(resourceBlock(req.type_name), rd(req.config))).map(problemDiag),
    }),
    ValidateDataResourceConfig: (req) => {
      const block = schema.dataSources[req.type_name]?.block;
      if (!block) return { diagnostics: [errorDiag(`unknown data source ${req.type_name}`)] };
      return { diagnostics: validateConfig(block, DATA_SOURCE_FACTS[req.type_name], conform(block, rd(req.config))).map(problemDiag) };
    },
    GetFunctions: () => ({ diagnostics: [] }),
    StopProvider: () => ({ Error: "" }),

    ConfigureProvider: async (req) => {
      const settings = readSettings(conform(schema.provider, rd(req.config)), env);
      if ("error" in settings) return { diagnostics: [errorDiag(settings.error)] };
      if (settings.credentials.kind === "ssws" && !settings.apiToken) return { diagnostics: [errorDiag(release.noCredentials)] };
      const ctx = ProviderContext.fromSettings(settings, release, ended);
      try {
        await ctx.verifyCredentials();
      } catch (e) {
        return { diagnostics: [errorDiag(errorText(e))] };
      }
      context = ctx;
      return { diagnostics: [] };
    },

    UpgradeResourceState: (req) => {
      const block = resourceBlock(req.type_name);
      const json = req.raw_state?.json as Buffer | undefined;
      if (!json || json.length === 0) return { diagnostics: [errorDiag("Unsupported state format", "only JSON state can be upgraded")] };
      return { upgraded_state: dv(conform(block, JSON.parse(json.toString("utf8")))), diagnostics: [] };
    },

    ReadResource: async (req) => {
      const block = resourceBlock(req.type_name);
      const current = asObj(rd(req.current_state));
      if (!current) return { new_state: dv(null), diagnostics: [], private: req.private };
      const impl = RESOURCES[req.type_name];
      if (!impl) return { new_state: dv(current), diagnostics: [], private: req.private };
      const d = new ResourceData(current);
      try {
        await impl.read(provider(), d);
      } catch (e) {
        return { diagnostics: [errorDiag(errorText(e))] };
      }
      return { new_state: dv(recorded(block, d)), diagnostics: [], private: req.private };
    },

    PlanResourceChange: (req) => {
      const block = resourceBlock(req.type_name);
      const prior = asObj(rd(req.prior_state));
      const proposed = asObj(rd(req.proposed_new_state));
      if (!proposed) return { planned_state: dv(null), requires_replace: [], diagnostics: [], legacy_type_system: true };
      const config = conform(block, rd(req.config));
      const plan = planResourceChange(block, RESOURCE_FACTS[req.type_name], prior, config);
      return {
        planned_state: dv(conform(block, plan.planned)),
        requires_replace: plan.requiresReplace.map((attribute_name) => ({ steps: [{ attribute_name }] })),
        planned_private: req.prior_private,
        diagnostics: [],
        legacy_type_system: true,
      };
    },

    ApplyResourceChange: async (req) => {
      const block = resourceBlock(req.type_name);
      const prior = asObj(rd(req.prior_state));
      const planned = asObj(rd(req.planned_state));
      const impl = RESOURCES[req.type_name];
      if (!impl) {
        return {
          new_state: dv(prior),
          diagnostics: [errorDiag(`${req.type_name} is schema-only in the stand-in okta provider`, "not implemented")],
          legacy_type_system: true,
        };
      }
      if (!planned) {
        try {
          if (prior) await impl.delete(provider(), new ResourceData(prior));
          return { new_state: dv(null), diagnostics: [], legacy_type_system: true };
        } catch (e) {
          return { new_state: dv(prior), diagnostics: [errorDiag(errorText(e))], legacy_type_system: true };
        }
      }
      const d = prior ? new ResourceData(planned, typeof prior.id === "string" ? prior.id : "") : new ResourceData(planned, "");
      try {
        if (prior) await impl.update(provider(), d, prior);
        else await impl.create(provider(), d);
        return { new_state: dv(recorded(block, d)), diagnostics: [], legacy_type_system: true };
      } catch (e) {
        return { new_state: dv(recorded(block, d)), diagnostics: [errorDiag(errorText(e))], legacy_type_system: true };
      }
    },

    ImportResourceState: async (req) => {
      const block = resourceBlock(req.type_name);
      const impl = RESOURCES[req.type_name];
      if (!impl) return { diagnostics: [errorDiag(`${req.type_name} is schema-only in the stand-in okta provider`)] };
      const d = new ResourceData(emptyObject(block), req.id);
      try {
        await impl.importState(provider(), d, req.id);
      } catch (e) {
        return { diagnostics: [errorDiag(errorText(e))] };
      }
      return { imported_resources: [{ type_name: req.type_name, state: dv(recorded(block, d)), private: Buffer.alloc(0) }], diagnostics: [] };
    },

    ReadDataSource: async (req) => {
      const ds = schema.dataSources[req.type_name];
      const impl = DATA_SOURCES[req.type_name];
      if (!ds || !impl) return { diagnostics: [errorDiag(`unknown data source ${req.type_name}`)] };
      const config = withDefaults(ds.block, DATA_SOURCE_FACTS[req.type_name], conform(ds.block, rd(req.config)));
      const d = new ResourceData(config, "");
      try {
        await impl.read(provider(), d);
      } catch (e) {
        return { diagnostics: [errorDiag(errorText(e))] };
      }
      return { state: dv(recorded(ds.block, d)), diagnostics: [] };
    },
  };
}
