// OAuth for cerby-okta's own Okta requests (src/okta-api/oauth.ts, credentials.ts)
// against the emulator's org authorization server (harness/okta-emulator/oauth.ts):
// the client assertion, the token kept and renewed, scopes enforced per route,
// and no key or token in any message.
import { createPrivateKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../harness/okta-emulator.ts";
import { newServiceApp, type TestServiceApp } from "../../harness/service-app.ts";
import { OktaClient } from "../../src/okta-api/client.ts";
import { missingScopes, oktaCredentialsFromEnv, type OktaCredentials } from "../../src/okta-api/credentials.ts";
import { clientAssertion, readServiceAppKey, ServiceAppTokens } from "../../src/okta-api/oauth.ts";
import { redactor } from "../../src/http/redact.ts";
import { UsageError } from "../../src/errors.ts";

let emulator: OktaEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(app: TestServiceApp): Promise<OktaEmulator> {
  emulator = await startOktaEmulator({ serviceApps: [app.registration] });
  emulator.seedUser({ id: "00u1", login: "ann@example.com" });
  emulator.resetRequestLog();
  return emulator;
}

function oauthCredentials(app: TestServiceApp, scopes: readonly string[], privateKey = app.privateKey): OktaCredentials {
  return { kind: "oauth", clientId: app.clientId, privateKey, scopes };
}

const client = (url: string, credentials: OktaCredentials) => new OktaClient({ baseUrl: url, credentials, policy: { minDelayMs: 1, baseDelayMs: 1, maxRetries: 1 } });

/** Posts a token request as a client would, with this assertion. */
async function tokenRequest(url: string, assertion: string, scope = "okta.users.read") {
  const form = new URLSearchParams({ grant_type: "client_credentials", scope, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion });
  const response = await fetch(`${url}/oauth2/v1/token`, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the service app's access token", () => {
  it("is fetched once with a client assertion Okta verifies, and used for every request until it expires", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const reader = client(okta.url, oauthCredentials(app, ["okta.users.read"]));
    for (let i = 0; i < 3; i++) expect((await reader.getUser("00u1"))?.login).toBe("ann@example.com");
    expect(reader.serviceApp?.fetched).toBe(1);
    expect(okta.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "POST /oauth2/v1/token 200",
      "GET /api/v1/users/{id} 200",
      "GET /api/v1/users/{id} 200",
      "GET /api/v1/users/{id} 200",
    ]);
    expect(okta.issuedAccessTokens()).toEqual([{ clientId: app.clientId, scopes: ["okta.users.read"] }]);
  });

  it("is renewed once when Okta refuses it (401), and the request goes through", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const reader = client(okta.url, oauthCredentials(app, ["okta.users.read"]));
    await reader.getUser("00u1");
    okta.revokeAccessTokens();
    expect((await reader.getUser("00u1"))?.id).toBe("00u1");
    expect(reader.serviceApp?.fetched).toBe(2);
    expect(okta.requests.map((r) => `${r.route} ${r.status}`)).toEqual(["/oauth2/v1/token 200", "/api/v1/users/{id} 200", "/api/v1/users/{id} 401", "/oauth2/v1/token 200", "/api/v1/users/{id} 200"]);
  });

  it("reads the key as PKCS#8 PEM, PKCS#1 PEM, PEM with literal \\n, or a JWK", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const key = createPrivateKey(app.privateKey);
    const forms = [
      app.privateKey,
      key.export({ type: "pkcs1", format: "pem" }).toString(),
      app.privateKey.replaceAll("\n", "\\n"),
      JSON.stringify(key.export({ format: "jwk" })),
    ];
    for (const form of forms) expect((await client(okta.url, oauthCredentials(app, ["okta.users.read"], form)).getUser("00u1"))?.id).toBe("00u1");
  });

  it("signs iss = sub = the client ID, aud = the token URL, a fresh jti and a short life, RS256 with the key ID", async () => {
    const app = newServiceApp([]);
    const signing = { clientId: app.clientId, ...readServiceAppKey(app.privateKey, "kid-1") };
    const [a, b] = [await clientAssertion(signing, "https://acme.okta.com/oauth2/v1/token", 1_700_000_000_000), await clientAssertion(signing, "https://acme.okta.com/oauth2/v1/token", 1_700_000_000_000)];
    const decode = (jwt: string, part: number) => JSON.parse(Buffer.from(jwt.split(".")[part]!, "base64url").toString()) as Record<string, unknown>;
    expect(decode(a, 0)).toEqual({ alg: "RS256", typ: "JWT", kid: "kid-1" });
    expect(decode(a, 1)).toMatchObject({ iss: app.clientId, sub: app.clientId, aud: "https://acme.okta.com/oauth2/v1/token", iat: 1_700_000_000, exp: 1_700_000_300 });
    expect(decode(a, 1).jti).not.toEqual(decode(b, 1).jti);
  });

  it("refuses, naming the variable and never quoting it, a key that is not a private key or not RSA", () => {
    const secret = "not-a-key-0123456789abcdef";
    const thrown = () => readServiceAppKey(secret);
    expect(thrown).toThrow(UsageError);
    expect(thrown).toThrow(/OKTA_API_PRIVATE_KEY is not a private key/);
    expect(() => readServiceAppKey(secret)).not.toThrow(new RegExp(secret));
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => readServiceAppKey(ec)).toThrow(/ec key: cerby-okta signs its client assertion RS256/);
  });
});

describe("the emulator's token endpoint", () => {
  const assertionFor = async (app: TestServiceApp, claims: { iss?: string; sub?: string; aud?: string; exp?: number; jti?: string }, key = app.privateKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(claims.iss ?? app.clientId)
      .setSubject(claims.sub ?? app.clientId)
      .setAudience(claims.aud ?? `${emulator!.url}/oauth2/v1/token`)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 300)
      .setJti(claims.jti ?? randomUUID())
      .sign(createPrivateKey(key));

  it("takes a good assertion once: the same jti again is refused", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const assertion = await assertionFor(app, {});
    const first = await tokenRequest(okta.url, assertion);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "okta.users.read" });
    expect(await tokenRequest(okta.url, assertion)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it.each([
    ["another audience", { aud: "https://elsewhere.okta.com/oauth2/v1/token" }, /audience claim/],
    ["an expired assertion", { exp: Math.floor(Date.now() / 1000) - 10 }, /expired/],
    ["an expiry more than an hour ahead", { exp: Math.floor(Date.now() / 1000) + 7200 }, /too far into the future/],
    ["iss other than sub", { iss: "0oa-someone-else" }, /same value/],
    ["an unknown client", { iss: "0oaunknown", sub: "0oaunknown" }, /not a client/],
  ])("refuses %s (401 invalid_client)", async (_what, claims, description) => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const answer = await tokenRequest(okta.url, await assertionFor(app, claims));
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("invalid_client");
    expect(String(answer.body.error_description)).toMatch(description);
  });

  it("refuses an assertion signed with another key, and cerby-okta says what to check without quoting the key", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const other = newServiceApp([]).privateKey;
    expect((await tokenRequest(okta.url, await assertionFor(app, {}, other))).body.error_description).toMatch(/signature is invalid/);
    const error = await client(okta.url, oauthCredentials(app, ["okta.users.read"], other)).getUser("00u1").catch((e: Error) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`Okta does not take the OAuth service app ${app.clientId} (OKTA_API_CLIENT_ID)'s client assertion`);
    expect((error as Error).message).not.toContain("PRIVATE KEY-----");
  });

  it("refuses scopes the app is not granted, and cerby-okta names OKTA_API_SCOPES", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    expect((await tokenRequest(okta.url, await assertionFor(app, {}), "okta.groups.manage")).body).toMatchObject({ error: "consent_required" });
    const error = await client(okta.url, oauthCredentials(app, ["okta.users.read", "okta.groups.manage"])).getUser("00u1").catch((e: Error) => e);
    expect((error as Error).message).toMatch(/HTTP 400 invalid_scope: .*okta\.groups\.manage/);
    expect((error as Error).message).toContain("is not granted every scope asked for in OKTA_API_SCOPES (okta.users.read,okta.groups.manage)");
  });
});

describe("scopes per route", () => {
  it("a token without a route's scope gets Okta's 403 (no body, insufficient_scope naming the scope); manage scopes also read", async () => {
    const app = newServiceApp(["okta.apps.read", "okta.groups.manage"]);
    const okta = await start(app);
    const token = String((await tokenRequest(okta.url, await new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setIssuer(app.clientId).setSubject(app.clientId).setAudience(`${okta.url}/oauth2/v1/token`).setExpirationTime("5m").setJti(randomUUID()).sign(createPrivateKey(app.privateKey)), "okta.apps.read okta.groups.manage")).body.access_token);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(okta.url + path, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await call("GET", "/api/v1/apps")).status).toBe(200);
    expect((await call("GET", "/api/v1/groups")).status).toBe(200);
    expect((await call("POST", "/api/v1/groups", { profile: { name: "g" } })).status).toBe(200);
    const refused = await call("POST", "/api/v1/apps", { name: "bookmark", label: "x", signOnMode: "BOOKMARK", settings: { app: { url: "https://x" } } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe("");
    expect(refused.headers.get("www-authenticate")).toMatch(/scope="okta\.apps\.manage", error="insufficient_scope"/);
    expect((await call("GET", "/api/v1/users/00u1")).status).toBe(403);
    expect((await call("GET", "/api/v1/logs")).status).toBe(403);
    // SSWS keeps working beside OAuth.
    expect((await fetch(`${okta.url}/api/v1/users/00u1`, { headers: { authorization: `SSWS ${okta.token}` } })).status).toBe(200);
  });

  it("cerby-okta's message names the missing scope", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const error = await client(okta.url, oauthCredentials(app, ["okta.users.read"])).exists("groups", "00g1").catch((e: Error) => e);
    expect((error as Error).message).toContain("HTTP 403 Forbidden: the access token lacks the scope okta.groups.read (insufficient_scope)");
  });
});

describe("credentials from the environment", () => {
  it("reads the service app as the provider does (comma-separated scopes), and refuses ambiguous or partial settings", () => {
    expect(oktaCredentialsFromEnv({ OKTA_API_CLIENT_ID: "0oa1", OKTA_API_PRIVATE_KEY: "k", OKTA_API_SCOPES: "okta.apps.read, okta.groups.read", OKTA_API_PRIVATE_KEY_ID: "kid" })).toEqual({
      kind: "oauth",
      clientId: "0oa1",
      privateKey: "k",
      keyId: "kid",
      scopes: ["okta.apps.read", "okta.groups.read"],
    });
    expect(oktaCredentialsFromEnv({ OKTA_API_TOKEN: "t" })).toEqual({ kind: "api-token", token: "t" });
    expect(oktaCredentialsFromEnv({})).toBeUndefined();
    expect(() => oktaCredentialsFromEnv({ OKTA_API_TOKEN: "t", OKTA_API_PRIVATE_KEY: "k", OKTA_API_CLIENT_ID: "0oa1" })).toThrow(/OKTA_API_TOKEN and OKTA_API_PRIVATE_KEY are both set/);
    expect(() => oktaCredentialsFromEnv({ OKTA_API_PRIVATE_KEY: "k" })).toThrow(/OKTA_API_CLIENT_ID is not/);
    expect(() => oktaCredentialsFromEnv({ OKTA_API_CLIENT_ID: "0oa1" })).toThrow(/OKTA_API_PRIVATE_KEY is not/);
    expect(() => oktaCredentialsFromEnv({ OKTA_API_CLIENT_ID: "0oa1", OKTA_API_PRIVATE_KEY: "k" })).toThrow(/OKTA_API_SCOPES is not set/);
  });

  it("a manage scope covers its read scope, not the other way round", () => {
    expect(missingScopes(["okta.apps.manage", "okta.users.read"], ["okta.apps.read", "okta.users.read"])).toEqual([]);
    expect(missingScopes(["okta.apps.read"], ["okta.apps.manage", "okta.groups.read"])).toEqual(["okta.apps.manage", "okta.groups.read"]);
  });

  it("redaction masks access tokens and assertions by their shape, and PEM private keys", async () => {
    const app = newServiceApp([]);
    const assertion = await clientAssertion({ clientId: app.clientId, ...readServiceAppKey(app.privateKey) }, "https://acme.okta.com/oauth2/v1/token");
    const redact = redactor([]);
    expect(redact(`echoed ${assertion} and\n${app.privateKey}`)).toBe("echoed *** and\n***\n");
    expect(redact(JSON.stringify({ key: app.privateKey }))).not.toContain("MII");
  });
});

describe("ServiceAppTokens", () => {
  it("is shared by the clients of a run for the same org, app, key and scopes: one token request between them", async () => {
    const app = newServiceApp(["okta.users.read", "okta.groups.read"]);
    const okta = await start(app);
    await client(okta.url, oauthCredentials(app, ["okta.users.read"])).getUser("00u1");
    await client(okta.url, oauthCredentials(app, ["okta.users.read"])).getUser("00u1");
    await client(`${okta.url}/`, oauthCredentials(app, ["okta.users.read"])).getUser("00u1");
    expect(okta.requestCount({ route: "/oauth2/v1/token" })).toBe(1);
    // Other scopes: another token.
    await client(okta.url, oauthCredentials(app, ["okta.users.read", "okta.groups.read"])).getUser("00u1");
    expect(okta.requestCount({ route: "/oauth2/v1/token" })).toBe(2);
  });

  it("asks once for callers waiting at the same time", async () => {
    const app = newServiceApp(["okta.users.read"]);
    const okta = await start(app);
    const tokens = new ServiceAppTokens(okta.url, oauthCredentials(app, ["okta.users.read"]) as Extract<OktaCredentials, { kind: "oauth" }>);
    const headers = await Promise.all([tokens.header(), tokens.header(), tokens.header()]);
    expect(new Set(headers).size).toBe(1);
    expect(tokens.fetched).toBe(1);
    expect(await tokens.grantedScopes()).toEqual(["okta.users.read"]);
  });
});
