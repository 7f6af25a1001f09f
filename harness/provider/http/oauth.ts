/**
 * The okta/okta provider's OAuth with a service app (authorization mode
 * "PrivateKey"), as its SDK does it (sdk/v2_requestExecutor.go at v4.20.0
 * and v6.12.0: PrivateKeyAuth, CreateKeySigner, CreateClientAssertion,
 * getAccessTokenForPrivateKey):
 * - the key is PEM only, PKCS#1 or PKCS#8, literal `\n` undone (or a file
 *   path); anything else fails with "invalid private key";
 * - the client assertion: iss = sub = client_id, aud = <org>/oauth2/v1/token,
 *   an hour's life, a uuid jti; `kid` = private_key_id when set;
 * - POST /oauth2/v1/token, scopes joined with spaces; the token is cached for
 *   expires_in - 2 s. An answer of 300 or more yields no token and no error:
 *   the request then fails with "empty access token".
 * DPoP (asked by Okta with invalid_dpop_proof) is not modelled.
 */
import { createPrivateKey, randomUUID, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { SignJWT } from "jose";

export interface ServiceAppSettings {
  clientId: string;
  privateKey: string;
  privateKeyId: string;
  scopes: string[];
}

export class PrivateKeyAuth {
  private cached: { header: string; until: number } | null = null;
  private key: KeyObject | null = null;

  constructor(
    private readonly orgUrl: string,
    private readonly settings: ServiceAppSettings,
  ) {}

  /** The Authorization header for the next request. */
  async header(): Promise<string> {
    if (this.cached && Date.now() < this.cached.until) return this.cached.header;
    this.key ??= signingKey(this.settings.privateKey);
    const tokenUrl = `${this.orgUrl}/oauth2/v1/token`;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", ...(this.settings.privateKeyId ? { kid: this.settings.privateKeyId } : {}) })
      .setSubject(this.settings.clientId)
      .setIssuer(this.settings.clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomUUID())
      .sign(this.key);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      scope: this.settings.scopes.join(" "),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    });
    const res = await fetch(tokenUrl, { method: "POST", body: form, headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" } });
    const text = await res.text();
    if (res.status >= 300) throw new Error("empty access token");
    const token = JSON.parse(text) as { token_type: string; access_token: string; expires_in: number };
    const header = `${token.token_type} ${token.access_token}`;
    this.cached = { header, until: Date.now() + (token.expires_in - 2) * 1000 };
    return header;
  }
}

/** CreateKeySigner: PEM, PKCS#1 or PKCS#8 (RSA; EC is not modelled). */
function signingKey(value: string): KeyObject {
  const text = existsSync(value) ? readFileSync(value, "utf8") : value;
  const pem = text.replaceAll("\\n", "\n");
  const type = /-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1];
  if (type === undefined) throw new Error("invalid private key");
  if (type !== "RSA PRIVATE KEY" && type !== "PRIVATE KEY") throw new Error(`private key "${type}" is not pkcs#1 or pkcs#8 format`);
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "rsa") throw new Error(`private key "${type}" is unknown pkcs#8 format type`);
  return key;
}
