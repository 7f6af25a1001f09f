// Which okta/okta provider release the stacks ask Terraform for
// (`oktaProvider.version` in cerby-okta.yaml). Only releases whose behaviour
// was read from the provider's source and is modelled by the test harness
// (docs/okta-provider-<version>.md) are accepted: the stacks, the request
// costs and the workarounds are proven against those alone. The list and the
// default are the cost model's (src/domain/api-cost.ts): one definition.
import { DEFAULT_PROVIDER_RELEASE, MODELLED_PROVIDER_RELEASES, type OktaProviderRelease } from "../domain/api-cost.ts";

/** The release generated stacks use when cerby-okta.yaml names none. */
export const DEFAULT_OKTA_PROVIDER_VERSION = DEFAULT_PROVIDER_RELEASE;

/** Releases modelled, newest first. */
export const MODELLED_OKTA_PROVIDER_VERSIONS = MODELLED_PROVIDER_RELEASES;
export type OktaProviderVersion = OktaProviderRelease;

/** Releases refused with their own reason. */
const REFUSED: Readonly<Record<string, string>> = {
  "6.14.0": "okta/okta 6.14.0 shipped unintended breaking changes (its README says not to upgrade to it)",
};

/** Why `version` cannot be used, or undefined when it can. */
export function oktaProviderVersionProblem(version: string): string | undefined {
  if ((MODELLED_OKTA_PROVIDER_VERSIONS as readonly string[]).includes(version)) return undefined;
  const modelled = `use ${MODELLED_OKTA_PROVIDER_VERSIONS.join(" or ")}, the releases cerby-okta is tested against`;
  const reason = REFUSED[version] ?? `okta/okta ${version} is not a release cerby-okta models (its requests, 404 rules and attributes are unverified)`;
  return `${reason}; ${modelled}`;
}

/**
 * What a release does differently for the five types the stacks use
 * (docs/okta-provider-4.20.md, docs/okta-provider-6.12.md).
 */
export interface OktaProviderTraits {
  /** `skip_authentication_policy` exists on okta_app_bookmark (6.9.0+): no policy read or assignment. */
  readonly skipAuthenticationPolicy: boolean;
  /** A 404 on removing an assignment is ignored by okta_app_group_assignments' update (6.1.0+, upstream #1885). */
  readonly assignmentRemovalIgnores404: boolean;
  /**
   * Importing okta_group_memberships lists the members in the importer
   * (6.11.0+): one request more, and a 404 fails the import. With
   * track_all_users (our import ID `<group>/true`) 4.20's read after the
   * import fills `users` as well, and reads a 404 as no members.
   */
  readonly membershipsImportFillsUsers: boolean;
}

export function oktaProviderTraits(version: OktaProviderVersion): OktaProviderTraits {
  const six = version.startsWith("6.");
  return { skipAuthenticationPolicy: six, assignmentRemovalIgnores404: six, membershipsImportFillsUsers: six };
}

export function isModelledOktaProviderVersion(version: string): version is OktaProviderVersion {
  return oktaProviderVersionProblem(version) === undefined;
}
