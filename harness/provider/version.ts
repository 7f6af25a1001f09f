/**
 * Which okta/okta release this stand-in process plays: OKTA_STANDIN_VERSION,
 * set by the mirror's wrapper for each published version
 * (harness/terraform-env.ts); 4.20.0 when unset. What differs between the
 * releases is in docs/okta-provider-4.20.md and docs/okta-provider-6.12.md.
 */
import { isModelledOktaProviderVersion, oktaProviderTraits, type OktaProviderVersion } from "../../src/config/okta-provider-version.ts";

function standInVersion(): OktaProviderVersion {
  const version = process.env.OKTA_STANDIN_VERSION || "4.20.0";
  if (!isModelledOktaProviderVersion(version)) throw new Error(`the stand-in okta provider does not model okta/okta ${version}`);
  return version;
}

export const STANDIN_VERSION = standInVersion();
export const IS_V6 = STANDIN_VERSION.startsWith("6.");
export const TRAITS = oktaProviderTraits(STANDIN_VERSION);

/** providerConfigure's answer when no credentials are set (6.x checks before loading the SDK clients). */
export const NO_CREDENTIALS = IS_V6
  ? "[ERROR] no Okta credentials provided. Please set one of the following: 'api_token' (or OKTA_API_TOKEN env var), 'access_token' (or OKTA_ACCESS_TOKEN env var), or 'private_key' + 'client_id' (or OKTA_API_PRIVATE_KEY + OKTA_API_CLIENT_ID env vars). See https://registry.terraform.io/providers/okta/okta/latest/docs for more information"
  : "[ERROR] failed to load sdk clients: your Okta API token is missing";
