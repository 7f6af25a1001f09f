/**
 * The provider block, read the way okta/okta 4.20.0's `NewConfig` reads it:
 * values through `d.GetOk`, so a zero value (`backoff = false`,
 * `max_retries = 0`, `min_wait_seconds = 0`, ...) is silently ignored and the
 * default stays (backoff on, 5 retries, 30 s to 300 s). Configuring calls
 * `GET /api/v1/users/me` twice (verifyCredentials, v3 then v2 client); the
 * org kind (Classic or Identity Engine) is fetched once per process, on the
 * first need. Credentials as NewConfig picks them: access_token (Bearer),
 * else api_token (SSWS), else private_key with client_id and scopes (OAuth,
 * harness/provider/http/oauth.ts); each from the block or its variable.
 * Under OAuth the credentials are not verified (verifyCredentials runs only
 * for an API token): a refused token request fails the first request.
 */
import { ApiGovernor } from "./http/governor.ts";
import { errorText } from "./http/sdk-errors.ts";
import { log } from "./log.ts";
import { OktaClient, type Credentials } from "./okta-client.ts";
import type { Obj, Value } from "./values.ts";
import type { StandInRelease } from "./version.ts";

export interface ProviderSettings {
  orgUrl: string;
  apiToken: string;
  credentials: Credentials;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  maxRetries: number;
  requestTimeoutSeconds: number;
  maxApiCapacity: number;
}

/** Config value through d.GetOk: null when unset or the zero value. */
function getOk(config: Obj, key: string): Value {
  const v = config[key] ?? null;
  return v === "" || v === 0 || v === false ? null : v;
}

export function readSettings(config: Obj, env: Record<string, string | undefined>): ProviderSettings | { error: string } {
  const str = (key: string, envKey: string) => {
    const v = getOk(config, key);
    return typeof v === "string" ? v : (env[envKey] ?? "");
  };
  const int = (key: string, dflt: number) => {
    const v = getOk(config, key);
    return typeof v === "number" ? Math.trunc(v) : dflt;
  };
  const orgName = str("org_name", "OKTA_ORG_NAME");
  const domain = str("base_url", "OKTA_BASE_URL");
  const httpProxy = str("http_proxy", "OKTA_HTTP_PROXY");
  const apiToken = str("api_token", "OKTA_API_TOKEN");
  const accessToken = str("access_token", "OKTA_ACCESS_TOKEN");
  const privateKey = str("private_key", "OKTA_API_PRIVATE_KEY");
  const configScopes = getOk(config, "scopes");
  const scopes = Array.isArray(configScopes) && configScopes.length > 0 ? configScopes.map(String) : env.OKTA_API_SCOPES ? env.OKTA_API_SCOPES.split(",") : [];
  const clientId = str("client_id", "OKTA_API_CLIENT_ID");
  let credentials: Credentials;
  if (accessToken) credentials = { kind: "bearer", token: accessToken };
  else if (apiToken) credentials = { kind: "ssws", token: apiToken };
  else if (privateKey) {
    if (!clientId || scopes.length === 0) {
      return { error: "[ERROR] failed to load sdk clients: when using AuthorizationMode 'PrivateKey', you must supply 'ClientId', 'Scopes', and 'PrivateKey' or 'PrivateKeySigner'" };
    }
    credentials = { kind: "oauth", clientId, privateKey, privateKeyId: str("private_key_id", "OKTA_API_PRIVATE_KEY_ID"), scopes };
  } else credentials = { kind: "ssws", token: "" };
  // The real provider calls https://<org_name>.<base_url>, or http_proxy when set; tests point it at the emulator.
  const orgUrl = (env.OKTA_EMULATOR_URL || (httpProxy ? httpProxy : `https://${orgName}.${domain}`)).replace(/\/+$/, "");
  return {
    orgUrl,
    apiToken,
    credentials,
    minWaitSeconds: int("min_wait_seconds", 30),
    maxWaitSeconds: int("max_wait_seconds", 300),
    maxRetries: int("max_retries", 5),
    requestTimeoutSeconds: int("request_timeout", 0),
    maxApiCapacity: int("max_api_capacity", 100),
  };
}

/** What resources get: the client, the release played, and the lazily fetched org kind. */
export class ProviderContext {
  private classicOrg = false;
  private queriedWellKnown = false;

  constructor(
    readonly client: OktaClient,
    readonly release: StandInRelease,
  ) {}

  /** `ended` aborts when the provider's process is gone (host.ts): it makes no request after that. */
  static fromSettings(s: ProviderSettings, release: StandInRelease, ended?: AbortSignal): ProviderContext {
    const governor = s.maxApiCapacity > 0 && s.maxApiCapacity < 100 ? new ApiGovernor(s.maxApiCapacity) : null;
    return new ProviderContext(
      new OktaClient({
        baseUrl: s.orgUrl,
        credentials: s.credentials,
        retry: { minWaitSeconds: s.minWaitSeconds, maxWaitSeconds: s.maxWaitSeconds, maxRetries: s.maxRetries },
        governor,
        requestTimeoutSeconds: s.requestTimeoutSeconds,
        ended,
      }),
      release,
    );
  }

  /** verifyCredentials: GET /api/v1/users/me with the v3 client, then with the v2 client (API tokens only). */
  async verifyCredentials(): Promise<void> {
    if (this.client.cfg.credentials.kind !== "ssws") return;
    for (const sdk of ["v3", "v2"]) {
      try {
        await this.client.call("GET", "/api/v1/users/me");
      } catch (e) {
        throw new Error(`[ERROR] failed validate configuration: error with ${sdk} SDK client: ${errorText(e)}`);
      }
    }
  }

  /** Config.IsClassicOrg: GET /.well-known/okta-organization once; an error is logged, answers "not Classic", and is retried next time. */
  async isClassicOrg(): Promise<boolean> {
    if (!this.queriedWellKnown) {
      try {
        const org = await this.client.call("GET", "/.well-known/okta-organization");
        this.classicOrg = org.body?.pipeline === "v1";
        this.queriedWellKnown = true;
      } catch (e) {
        log(`error querying GET /.well-known/okta-organization: ${errorText(e)}`);
      }
    }
    return this.classicOrg;
  }
}
