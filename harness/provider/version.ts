/**
 * Which okta/okta release a stand-in provider plays: OKTA_STANDIN_VERSION in
 * the environment it is started with, set by the mirror's wrapper for each
 * published version (harness/terraform-env.ts); 4.20.0 when unset. What
 * differs between the releases is in docs/okta-provider-4.20.md and
 * docs/okta-provider-6.12.md. A release is passed down (ProviderContext.release)
 * rather than read from a global: one provider host (host.ts) serves both.
 */
import { isModelledOktaProviderVersion, oktaProviderTraits, type OktaProviderTraits, type OktaProviderVersion } from "../../src/config/okta-provider-version.ts";

export interface StandInRelease {
  version: OktaProviderVersion;
  isV6: boolean;
  traits: OktaProviderTraits;
  /** providerConfigure's answer when no credentials are set (6.x checks before loading the SDK clients). */
  noCredentials: string;
}

export function standInVersion(env: Record<string, string | undefined>): OktaProviderVersion {
  const version = env.OKTA_STANDIN_VERSION || "4.20.0";
  if (!isModelledOktaProviderVersion(version)) throw new Error(`the stand-in okta provider does not model okta/okta ${version}`);
  return version;
}

export function standInRelease(version: OktaProviderVersion): StandInRelease {
  const isV6 = version.startsWith("6.");
  return {
    version,
    isV6,
    traits: oktaProviderTraits(version),
    noCredentials: isV6
      ? "[ERROR] no Okta credentials provided. Please set one of the following: 'api_token' (or OKTA_API_TOKEN env var), 'access_token' (or OKTA_ACCESS_TOKEN env var), or 'private_key' + 'client_id' (or OKTA_API_PRIVATE_KEY + OKTA_API_CLIENT_ID env vars). See https://registry.terraform.io/providers/okta/okta/latest/docs for more information"
      : "[ERROR] failed to load sdk clients: your Okta API token is missing",
  };
}
