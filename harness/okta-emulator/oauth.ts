/**
 * OAuth 2.0 for Okta's management API, as the org authorization server
 * answers it: API service apps registered with a public key, the
 * client_credentials grant at `POST /oauth2/v1/token` authenticated by a
 * private_key_jwt client assertion, and Bearer access tokens carrying the
 * granted scopes, each route requiring its scope.
 *
 * Facts followed (Okta's "Implement OAuth for Okta with a service app" guide,
 * okta-sdk-golang issue #145, okta-sdk-java issue #822, the okta/okta
 * provider's SDK at v6.12.0, sdk/v2_requestExecutor.go):
 * - the assertion's `aud` is the token URL, `iss` = `sub` = the client ID,
 *   with `exp` (at most an hour ahead) and a `jti` used once;
 * - a token request without `scope` is refused `invalid_scope`; one asking
 *   for no granted scope `consent_required` ("You are not allowed any of the
 *   requested scopes."); one asking for some scopes not granted is refused
 *   `invalid_scope` here (not observed: the stricter choice);
 * - a call whose token lacks the route's scope is answered 403 with no body
 *   and `WWW-Authenticate: Bearer ..., scope="<needed>",
 *   error="insufficient_scope", ...`; an `okta.*.manage` scope also reads;
 * - a token Okta does not know (expired, revoked) is answered 401 E0000011.
 * A service app that requires DPoP is not modelled.
 */
import { createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { HttpError } from "./errors.ts";

export interface ServiceAppRegistration {
  clientId: string;
  /** The public key, PEM (SPKI) or a JWK. */
  publicKey: string | JsonWebKey;
  /** The key's `kid`, when the app names it; an assertion with another `kid` is refused. */
  keyId?: string;
  /** The Okta API scopes granted to the app. */
  scopes: string[];
}

/** The scope each route needs, by "METHOD template"; a route not listed takes no OAuth token. */
const ROUTE_SCOPES: Readonly<Record<string, string>> = {
  "GET /api/v1/apps": "okta.apps.read",
  "POST /api/v1/apps": "okta.apps.manage",
  "GET /api/v1/apps/{id}": "okta.apps.read",
  "PUT /api/v1/apps/{id}": "okta.apps.manage",
  "DELETE /api/v1/apps/{id}": "okta.apps.manage",
  "POST /api/v1/apps/{id}/lifecycle/deactivate": "okta.apps.manage",
  "POST /api/v1/apps/{id}/lifecycle/activate": "okta.apps.manage",
  "GET /api/v1/apps/{id}/groups": "okta.apps.read",
  "GET /api/v1/apps/{id}/groups/{gid}": "okta.apps.read",
  "PUT /api/v1/apps/{id}/groups/{gid}": "okta.apps.manage",
  "DELETE /api/v1/apps/{id}/groups/{gid}": "okta.apps.manage",
  "PUT /api/v1/apps/{id}/policies/{pid}": "okta.apps.manage",
  "GET /api/v1/groups": "okta.groups.read",
  "POST /api/v1/groups": "okta.groups.manage",
  "GET /api/v1/groups/{id}": "okta.groups.read",
  "PUT /api/v1/groups/{id}": "okta.groups.manage",
  "DELETE /api/v1/groups/{id}": "okta.groups.manage",
  "GET /api/v1/groups/{id}/users": "okta.groups.read",
  "PUT /api/v1/groups/{id}/users/{uid}": "okta.groups.manage",
  "DELETE /api/v1/groups/{id}/users/{uid}": "okta.groups.manage",
  "GET /api/v1/groups/{id}/apps": "okta.groups.read",
  "GET /api/v1/users": "okta.users.read",
  "GET /api/v1/users/me": "okta.users.read",
  "GET /api/v1/users/{id}": "okta.users.read",
  "GET /api/v1/users/{id}/appLinks": "okta.users.read",
  "GET /api/v1/users/{id}/groups": "okta.users.read",
  "GET /api/v1/users/{id}/roles": "okta.roles.read",
  "POST /api/v1/users/{id}/lifecycle/suspend": "okta.users.manage",
  "POST /api/v1/users/{id}/lifecycle/unsuspend": "okta.users.manage",
  "POST /api/v1/users/{id}/lifecycle/deactivate": "okta.users.manage",
  "POST /api/v1/users/{id}/lifecycle/activate": "okta.users.manage",
  "GET /api/v1/logs": "okta.logs.read",
  "GET /api/v1/policies": "okta.policies.read",
  "GET /api/v1/policies/{id}": "okta.policies.read",
};

export function requiredScope(method: string, template: string): string | undefined {
  return ROUTE_SCOPES[`${method} ${template}`];
}

/** Whether these granted scopes allow `needed`: a manage scope reads too. */
export function scopeAllows(granted: ReadonlySet<string>, needed: string): boolean {
  return granted.has(needed) || (needed.endsWith(".read") && granted.has(needed.replace(/\.read$/, ".manage")));
}

/** An access token lives an hour, as Okta's org authorization server issues them. */
const TOKEN_LIFETIME_S = 3600;
const MAX_ASSERTION_LIFETIME_S = 3600;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

interface AccessToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

/** What the token endpoint answers: a status and a JSON body. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

const refuse = (status: number, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description } });

export class OAuthServer {
  private readonly apps = new Map<string, { key: KeyObject; keyId?: string; scopes: Set<string> }>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly usedJti = new Set<string>();
  /** Access tokens issued so far, by client ID. */
  readonly issued: { clientId: string; scopes: string[] }[] = [];

  register(app: ServiceAppRegistration): void {
    const key = typeof app.publicKey === "string" ? createPublicKey(app.publicKey) : createPublicKey({ key: app.publicKey as never, format: "jwk" });
    this.apps.set(app.clientId, { key, scopes: new Set(app.scopes), ...(app.keyId ? { keyId: app.keyId } : {}) });
  }

  /** Every access token issued so far stops working (as when they expire, or an admin revokes them). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** `POST /oauth2/v1/token`, the client_credentials grant with a client assertion. */
  async token(form: URLSearchParams, tokenUrl: string, nowMs = Date.now()): Promise<TokenAnswer> {
    if (form.get("grant_type") !== "client_credentials") {
      return refuse(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].");
    }
    const assertion = form.get("client_assertion");
    if (form.get("client_assertion_type") !== ASSERTION_TYPE || !assertion) {
      return refuse(401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.");
    }
    const claims = decodeClaims(assertion);
    const app = typeof claims?.sub === "string" ? this.apps.get(claims.sub) : undefined;
    if (!claims || !app) return refuse(401, "invalid_client", "The client_assertion token is invalid: its subject is not a client of this org.");
    if (claims.iss !== claims.sub) return refuse(401, "invalid_client", "The client_assertion token must have the same value for 'iss' and 'sub'.");
    let header: { alg?: string; kid?: string };
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return refuse(401, "invalid_client", "The client_assertion token is invalid.");
    }
    if (app.keyId !== undefined && header.kid !== undefined && header.kid !== app.keyId) {
      return refuse(401, "invalid_client", "The client_assertion signature is invalid: no key of the client has this kid.");
    }
    let verified: { aud?: unknown; exp?: unknown; jti?: unknown };
    try {
      // Our own checks of exp and aud below, with Okta's messages; the signature and alg here.
      ({ payload: verified } = await jwtVerify(assertion, app.key, { algorithms: ["RS256"], currentDate: new Date(nowMs), clockTolerance: 0 }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") return refuse(401, "invalid_client", "The client_assertion token is expired.");
      return refuse(401, "invalid_client", "The client_assertion signature is invalid.");
    }
    const now = Math.floor(nowMs / 1000);
    const audiences = Array.isArray(verified.aud) ? verified.aud : [verified.aud];
    if (!audiences.includes(tokenUrl)) return refuse(401, "invalid_client", "The audience claim for client_assertion must be the endpoint invoked for the request.");
    if (typeof verified.exp !== "number") return refuse(401, "invalid_client", "The client_assertion token must have an expiration (exp).");
    if (verified.exp > now + MAX_ASSERTION_LIFETIME_S) return refuse(401, "invalid_client", "The client_assertion token has an expiration too far into the future.");
    if (typeof verified.jti !== "string" || verified.jti === "") return refuse(401, "invalid_client", "The client_assertion token must have a jti claim.");
    if (this.usedJti.has(`${claims.sub} ${verified.jti}`)) return refuse(401, "invalid_client", "The client_assertion token has already been used (its jti was seen before).");
    this.usedJti.add(`${claims.sub} ${verified.jti}`);

    const asked = (form.get("scope") ?? "").split(" ").filter(Boolean);
    if (asked.length === 0) return refuse(400, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.");
    const refused = asked.filter((scope) => !app.scopes.has(scope));
    if (refused.length === asked.length) return refuse(400, "consent_required", "You are not allowed any of the requested scopes.");
    if (refused.length > 0) return refuse(400, "invalid_scope", `The requested scopes are not granted to the client: ${refused.join(" ")}.`);

    const clientId = claims.sub as string;
    const accessToken = jwtShapedToken(clientId, asked, now);
    this.tokens.set(accessToken, { clientId, scopes: new Set(asked), expiresAt: nowMs + TOKEN_LIFETIME_S * 1000 });
    this.issued.push({ clientId, scopes: asked });
    return { status: 200, body: { token_type: "Bearer", expires_in: TOKEN_LIFETIME_S, access_token: accessToken, scope: asked.join(" ") } };
  }

  /**
   * Checks `Authorization: Bearer <token>` for a route: throws the HttpError
   * Okta answers (401 unknown or expired token, 403 missing scope).
   */
  authorize(token: string, method: string, template: string, path: string, orgUrl: string, nowMs = Date.now()): void {
    const held = this.tokens.get(token);
    const challenge = `Bearer authorization_uri="${orgUrl}/oauth2/v1/authorize", realm="${orgUrl}"`;
    if (!held || held.expiresAt <= nowMs) {
      throw new HttpError(401, "E0000011", "Invalid token provided", [], {
        "WWW-Authenticate": `${challenge}, error="invalid_token", error_description="The token is not valid."`,
      });
    }
    const needed = requiredScope(method, template);
    if (needed === undefined || !scopeAllows(held.scopes, needed)) {
      throw new InsufficientScope(needed ?? "none", {
        "WWW-Authenticate": `${challenge}, scope="${needed ?? ""}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"`,
      });
    }
  }
}

/** Okta's 403 for a missing scope: a challenge header and no body. */
export class InsufficientScope extends HttpError {
  constructor(scope: string, headers: Record<string, string>) {
    super(403, "", `missing scope ${scope}`, [], headers);
  }
}

function decodeClaims(jwt: string): { iss?: unknown; sub?: unknown } | undefined {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    return claims !== null && typeof claims === "object" ? (claims as { iss?: unknown; sub?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** Okta's access tokens are signed JWTs; this one has the shape (so redaction by shape is exercised), and a random signature only the emulator knows. */
function jwtShapedToken(clientId: string, scopes: string[], now: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return [part({ kid: "emulator", alg: "RS256" }), part({ ver: 1, jti: `AT.${randomBytes(8).toString("hex")}`, iss: "emulator", aud: "emulator", iat: now, exp: now + TOKEN_LIFETIME_S, cid: clientId, scp: scopes }), randomBytes(32).toString("base64url")].join(".");
}
