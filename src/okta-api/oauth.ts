// OAuth 2.0 for Okta's own APIs with a service app, as the okta/okta provider
// does it (its SDK's PrivateKeyAuth): client_credentials at the org
// authorization server, `/oauth2/v1/token`, authenticated by a client
// assertion (private_key_jwt) signed RS256 with the app's private key. The
// access token is kept until shortly before it expires, and renewed when Okta
// refuses it (401). DPoP is not sent: a service app that requires it is named
// in the error, with the setting to clear (see README, "Credentials").
import { createHash, createPrivateKey, randomUUID, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { ExternalError, UsageError } from "../errors.ts";
import { HttpClient, type ApiClientOptions, type Authorization } from "../http/http-client.ts";

export interface ServiceAppCredentials {
  readonly clientId: string;
  /** PEM (PKCS#8 or PKCS#1), a JWK (JSON), or the path of a file holding either. */
  readonly privateKey: string;
  /** The `kid` of the app's public key, when it has several; a JWK's own `kid` otherwise. */
  readonly keyId?: string;
  readonly scopes: readonly string[];
}

/** A client assertion lives this long: Okta takes at most an hour; a short life makes a leaked one useless soon. */
const ASSERTION_LIFETIME_S = 300;
/** A token is renewed this long before Okta says it expires, so no request goes out with one about to lapse. */
const RENEW_BEFORE_MS = 60_000;

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The private key, read without ever quoting it: an error names the variable and what was expected. */
export function readServiceAppKey(value: string, keyId?: string): { key: KeyObject; keyId?: string } {
  let text = value.trim();
  // A path, as the provider's SDK also accepts; a key itself never looks like one.
  if (!text.startsWith("-----") && !text.startsWith("{") && existsSync(text)) text = readFileSync(text, "utf8").trim();
  // CI secrets often hold the PEM with literal \n (the provider's SDK undoes them too).
  if (text.startsWith("-----")) text = text.replaceAll("\\n", "\n");
  let key: KeyObject;
  let jwkKid: string | undefined;
  try {
    if (text.startsWith("{")) {
      const jwk = JSON.parse(text) as { kid?: unknown };
      jwkKid = typeof jwk.kid === "string" ? jwk.kid : undefined;
      key = createPrivateKey({ key: jwk as never, format: "jwk" });
    } else {
      key = createPrivateKey(text);
    }
  } catch {
    throw new UsageError(
      "OKTA_API_PRIVATE_KEY is not a private key cerby-okta can read: give the service app's RSA private key as PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----), as a JWK (JSON with \"d\"), or the path of a file holding one",
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new UsageError(`OKTA_API_PRIVATE_KEY is an ${key.asymmetricKeyType ?? "unknown"} key: cerby-okta signs its client assertion RS256, so the service app needs an RSA key pair`);
  }
  const kid = keyId ?? jwkKid;
  return { key, ...(kid ? { keyId: kid } : {}) };
}

/** The client assertion: iss = sub = the client ID, aud = the token URL, a fresh jti, a short life. */
export async function clientAssertion(credentials: { clientId: string; key: KeyObject; keyId?: string }, tokenUrl: string, nowMs = Date.now()): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(credentials.keyId ? { kid: credentials.keyId } : {}) })
    .setIssuer(credentials.clientId)
    .setSubject(credentials.clientId)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_S)
    .setJti(randomUUID())
    .sign(credentials.key);
}

interface HeldToken {
  readonly header: string;
  readonly renewAt: number;
  readonly scopes: readonly string[];
}

/** The tokens of each org, service app, key and scopes, shared by the clients of one process (a run makes several). */
const shared = new Map<string, ServiceAppTokens>();

/** Access tokens for one org and service app, fetched once and shared by every request of a client. */
export class ServiceAppTokens implements Authorization {
  /**
   * The one ServiceAppTokens of this process for these credentials at this
   * org: a plan's checks, the adoption check and the check after apply ask
   * Okta for one token between them. A caller with its own `fetch` (tests) gets its own.
   */
  static for(orgUrl: string, credentials: ServiceAppCredentials, options: ApiClientOptions = {}): ServiceAppTokens {
    if (options.fetch !== undefined) return new ServiceAppTokens(orgUrl, credentials, options);
    const key = createHash("sha256")
      .update(JSON.stringify([orgUrl.replace(/\/+$/, ""), credentials.clientId, credentials.keyId ?? "", [...credentials.scopes].sort(), credentials.privateKey]))
      .digest("hex");
    let tokens = shared.get(key);
    if (!tokens) {
      tokens = new ServiceAppTokens(orgUrl, credentials, options);
      shared.set(key, tokens);
    }
    return tokens;
  }

  private readonly tokenUrl: string;
  private readonly http: HttpClient;
  private readonly signing: { clientId: string; key: KeyObject; keyId?: string };
  private held: HeldToken | undefined;
  private pending: Promise<HeldToken> | undefined;
  /** Token requests made: tests and the cost notes count them. */
  fetched = 0;

  constructor(
    orgUrl: string,
    private readonly credentials: ServiceAppCredentials,
    options: ApiClientOptions = {},
  ) {
    // Okta checks `aud` against the URL exactly: no trailing slash before the path.
    this.tokenUrl = `${orgUrl.replace(/\/+$/, "")}/oauth2/v1/token`;
    this.signing = { clientId: credentials.clientId, ...readServiceAppKey(credentials.privateKey, credentials.keyId) };
    this.http = new HttpClient({
      system: "Okta",
      headers: {},
      clock: options.clock,
      policy: options.policy,
      concurrency: 1,
      onWait: options.onWait,
      secrets: [credentials.privateKey],
      unknownHostHint: options.unknownHostHint,
      fetch: options.fetch,
    });
  }

  async header(): Promise<string> {
    return (await this.current()).header;
  }

  /** The scopes Okta granted the current token. */
  async grantedScopes(): Promise<readonly string[]> {
    return (await this.current()).scopes;
  }

  refused(header: string): boolean {
    if (this.held?.header === header) this.held = undefined;
    return true;
  }

  private async current(): Promise<HeldToken> {
    if (this.held && Date.now() < this.held.renewAt) return this.held;
    // One request for every caller waiting on a new token.
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    this.held = await this.pending;
    return this.held;
  }

  private async fetch(): Promise<HeldToken> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      scope: this.credentials.scopes.join(" "),
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await clientAssertion(this.signing, this.tokenUrl),
    });
    this.fetched++;
    const response = await this.http.request({ method: "POST", url: new URL(this.tokenUrl), what: "POST /oauth2/v1/token", form, accept: [400, 401] });
    const body = (response.body ?? {}) as { error?: unknown; error_description?: unknown; token_type?: unknown; access_token?: unknown; expires_in?: unknown; scope?: unknown };
    if (response.status !== 200) throw this.refusal(response.status, body);
    if (body.token_type !== "Bearer" || typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
      throw new ExternalError(`Okta POST /oauth2/v1/token: the answer holds no Bearer access token with expires_in (token_type ${JSON.stringify(String(body.token_type).slice(0, 20))})`);
    }
    const scopes = typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : [...this.credentials.scopes];
    return { header: `Bearer ${body.access_token}`, renewAt: Date.now() + Math.max(0, body.expires_in * 1000 - RENEW_BEFORE_MS), scopes };
  }

  /** Okta's refusal of the token request, with what to change. */
  private refusal(status: number, body: { error?: unknown; error_description?: unknown }): UsageError {
    const error = typeof body.error === "string" ? body.error.slice(0, 40) : "";
    const description = typeof body.error_description === "string" ? body.error_description.slice(0, 200) : "";
    const said = `HTTP ${status}${error ? ` ${error}` : ""}${description ? `: ${description}` : ""}`;
    const app = `the OAuth service app ${this.credentials.clientId} (OKTA_API_CLIENT_ID)`;
    const fix =
      error === "invalid_scope" || error === "consent_required"
        ? `${app} is not granted every scope asked for in OKTA_API_SCOPES (${this.credentials.scopes.join(",")}): grant them in the Admin Console (Applications > the app > Okta API Scopes), or ask for fewer`
        : error === "invalid_dpop_proof" || /dpop/i.test(description)
          ? `${app} requires DPoP, which cerby-okta does not send: clear "Require Demonstrating Proof of Possession (DPoP) header in token requests" in the app's General settings`
          : `Okta does not take ${app}'s client assertion: check the client ID, that the app authenticates with "Public key / Private key", and that OKTA_API_PRIVATE_KEY is the private half of a public key the app holds${this.signing.keyId ? ` (key ID ${this.signing.keyId}, OKTA_API_PRIVATE_KEY_ID)` : ""}`;
    return new UsageError(`Okta refuses the token request (${said} to POST ${this.tokenUrl}): ${fix}`);
  }
}
