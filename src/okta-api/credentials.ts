// Which credentials cerby-okta's own Okta requests use, read from the same
// environment variables as the okta/okta provider (its NewConfig): an OAuth
// service app (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_PRIVATE_KEY_ID,
// OKTA_API_SCOPES), an access token made elsewhere (OKTA_ACCESS_TOKEN), or an
// SSWS API token (OKTA_API_TOKEN).
import type { OktaProviderRelease } from "../domain/api-cost.ts";
import { UsageError } from "../errors.ts";

export type OktaCredentials =
  | { readonly kind: "api-token"; readonly token: string }
  | { readonly kind: "access-token"; readonly token: string }
  | { readonly kind: "oauth"; readonly clientId: string; readonly privateKey: string; readonly keyId?: string; readonly scopes: readonly string[] };

/**
 * The least OAuth scopes for a plan (and `reconcile`, `status`), and for an
 * apply. okta/okta 4.20 also reads the org's access policies when it creates a
 * bookmark app (okta.policies.read); 6.12's bookmarks skip the policy
 * (skip_authentication_policy). The README lists these; test/sync/oauth.test.ts proves them.
 */
export const READ_SCOPES = ["okta.apps.read", "okta.groups.read", "okta.users.read"] as const;
export const APPLY_SCOPES = ["okta.apps.manage", "okta.groups.manage", "okta.users.read"] as const;
export const APPLY_SCOPES_4_20 = [...APPLY_SCOPES, "okta.policies.read"] as const;

/** What an apply needs with the okta/okta release the stacks ask for. */
export function applyScopesFor(release: OktaProviderRelease | undefined): readonly string[] {
  return release === "4.20.0" ? APPLY_SCOPES_4_20 : APPLY_SCOPES;
}

/**
 * The credentials the environment holds, or undefined when it holds none.
 * Ambiguous or partial settings are refused, naming the variable to fix: the
 * provider would pick the API token over the key without a word.
 */
export function oktaCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): OktaCredentials | undefined {
  const value = (name: string) => (env[name] ?? "").trim() || undefined;
  const apiToken = value("OKTA_API_TOKEN");
  const accessToken = value("OKTA_ACCESS_TOKEN");
  const privateKey = value("OKTA_API_PRIVATE_KEY");
  const clientId = value("OKTA_API_CLIENT_ID");
  const chosen = [apiToken && "OKTA_API_TOKEN", accessToken && "OKTA_ACCESS_TOKEN", privateKey && "OKTA_API_PRIVATE_KEY"].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError(`${chosen.join(" and ")} are both set: set one kind of Okta credentials (the okta provider would silently prefer one of them). Unset the others`);
  }
  if (apiToken) return { kind: "api-token", token: apiToken };
  if (accessToken) return { kind: "access-token", token: accessToken };
  if (!privateKey) {
    if (clientId) throw new UsageError("OKTA_API_CLIENT_ID is set but OKTA_API_PRIVATE_KEY is not: set the service app's private key (PEM or JWK), or unset OKTA_API_CLIENT_ID");
    return undefined;
  }
  if (!clientId) throw new UsageError("OKTA_API_PRIVATE_KEY is set but OKTA_API_CLIENT_ID is not: set the client ID of the Okta API service app the key belongs to");
  // As the provider splits it: on commas (spaces around them are dropped here).
  const scopes = (value("OKTA_API_SCOPES") ?? "").split(",").map((scope) => scope.trim()).filter((scope) => scope !== "");
  if (scopes.length === 0) {
    throw new UsageError(`OKTA_API_SCOPES is not set: list the Okta API scopes to ask for, comma-separated (to plan: ${READ_SCOPES.join(",")}; to apply: ${APPLY_SCOPES.join(",")}, and okta.policies.read with okta/okta 4.20)`);
  }
  const keyId = value("OKTA_API_PRIVATE_KEY_ID");
  return { kind: "oauth", clientId, privateKey, scopes, ...(keyId ? { keyId } : {}) };
}

/** How messages name the credentials in use, never with their value. */
export function describeCredentials(credentials: OktaCredentials): string {
  if (credentials.kind === "api-token") return "OKTA_API_TOKEN";
  if (credentials.kind === "access-token") return "OKTA_ACCESS_TOKEN";
  return `the OAuth service app ${credentials.clientId} (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY)`;
}

/** Whether `granted` covers `needed`: in Okta a `.manage` scope also reads. */
export function missingScopes(granted: readonly string[], needed: readonly string[]): string[] {
  const has = new Set(granted);
  return needed.filter((scope) => !has.has(scope) && !(scope.endsWith(".read") && has.has(scope.replace(/\.read$/, ".manage"))));
}
