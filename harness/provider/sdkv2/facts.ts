/**
 * What okta/okta 4.20.0's SDKv2 schemas declare beyond names and types (which
 * schema.json carries): Default, ForceNew, DiffSuppressFunc, validation and
 * ConflictsWith, for the types the stand-in implements. Read from the real
 * schema files (okta/app.go, resource_okta_*.go, data_source_okta_*.go,
 * user.go, provider.go); where 6.12.0 differs (isV6), from
 * okta/services/idaas/*.go and okta/utils/utils.go at v6.12.0.
 */
import type { Value } from "../values.ts";

export interface AttributeFacts {
  /** SDKv2 `Default`: lands in plan and state when config leaves the attribute unset. */
  default?: Value;
  forceNew?: boolean;
  /** DiffSuppressFunc: true when going from the prior value to the new one is no change. */
  suppressDiff?: (prior: Value, next: Value) => boolean;
  /** ValidateDiagFunc: an error summary, or null. */
  validate?: (value: Value, attribute: string) => string | null;
}

export interface BlockFacts {
  attributes: Record<string, AttributeFacts>;
  blocks?: Record<string, BlockFacts>;
  /** ConflictsWith pairs: both set is an error. */
  conflicts?: Array<[string, string]>;
}

// ---------------------------------------------------------------- diff suppression

/** noChangeInObjectFromUnmarshaledJSON: unset config, or the same JSON object. */
const sameJsonObject = (prior: Value, next: Value): boolean => {
  if (next === null || next === "") return true;
  try {
    const a = JSON.parse(String(prior));
    const b = JSON.parse(String(next));
    return isPlainObject(a) && isPlainObject(b) && jsonEqual(a, b);
  } catch {
    return false;
  }
};

/** okta_group.custom_profile_attributes: unset config, or equal once nulls are dropped. */
const sameGroupProfile = (prior: Value, next: Value): boolean => {
  if (next === null || next === "") return true;
  const parse = (v: Value) => {
    try {
      const o = JSON.parse(String(v));
      return isPlainObject(o) ? Object.fromEntries(Object.entries(o).filter(([, x]) => x !== null)) : null;
    } catch {
      return null;
    }
  };
  return jsonEqual(parse(prior), parse(next));
};

/** `priority`: compares a non-existent top-level key (nil == nil), so any unset or 0 priority is no change. */
const unsetPriority = (_prior: Value, next: Value): boolean => next === null || next === 0;

/** `logo`: an unset logo is no change. */
const unsetIsNoChange = (_prior: Value, next: Value): boolean => next === null || next === "";

// ---------------------------------------------------------------- validation

/** How Go prints a cty.Path of one attribute with %s (what the provider's validators show). */
const goPath = (attribute: string) => `[{{} ${attribute}}]`;

const strMaxLength = (max: number) => (value: Value, attribute: string) =>
  typeof value === "string" && Buffer.byteLength(value) > max ? `${goPath(attribute)} cannot be longer than ${max} characters` : null;

/** utils.StrMaxLength from 5.2.0 (#2398): counts runes, not bytes. */
const strMaxRunes = (max: number) => (value: Value, attribute: string) =>
  typeof value === "string" && [...value].length > max ? `${goPath(attribute)} cannot be longer than ${max} runes` : null;

const stringIsJSON = (value: Value, attribute: string) => {
  if (typeof value !== "string") return null;
  if (value === "") return `expected "${goPath(attribute)}" JSON to not be empty, got `;
  try {
    JSON.parse(value);
    return null;
  } catch (e) {
    return `"${goPath(attribute)}" contains an invalid JSON: ${(e as Error).message}`;
  }
};

const intBetween = (min: number, max: number) => (value: Value, attribute: string) =>
  typeof value === "number" && (value < min || value > max) ? `expected ${goPath(attribute)} to be in the range (${min} - ${max}), got ${value}` : null;

const intAtMost = (max: number) => (value: Value, attribute: string) =>
  typeof value === "number" && value > max ? `expected ${goPath(attribute)} to be at most (${max}), got ${value}` : null;

// ---------------------------------------------------------------- facts

export const PROVIDER_FACTS: BlockFacts = {
  attributes: {
    max_retries: { validate: intAtMost(100) },
    log_level: { validate: intBetween(1, 5) },
    max_api_capacity: { validate: intBetween(1, 100) },
    request_timeout: { validate: intBetween(0, 300) },
  },
  conflicts: [
    ["api_token", "access_token"],
    ["api_token", "client_id"],
    ["api_token", "scopes"],
    ["api_token", "private_key"],
    ["api_token", "private_key_id"],
    ["access_token", "client_id"],
    ["access_token", "scopes"],
    ["access_token", "private_key"],
  ],
};

const userSearchFacts: BlockFacts = { attributes: { comparison: { default: "eq" } } };

/** The resources' facts for a release: 6.x counts some lengths in runes and adds skip_authentication_policy. */
function factsOfResources(isV6: boolean): Record<string, BlockFacts> {
  return {
    okta_app_bookmark: {
      attributes: {
        status: { default: "ACTIVE" },
        accessibility_self_service: { default: false },
        auto_submit_toolbar: { default: false },
        hide_ios: { default: false },
        hide_web: { default: false },
        request_integration: { default: false },
        logo: { suppressDiff: unsetIsNoChange },
        app_links_json: { suppressDiff: sameJsonObject, validate: stringIsJSON },
        admin_note: { validate: isV6 ? strMaxRunes(250) : strMaxLength(250) },
        enduser_note: { validate: isV6 ? strMaxRunes(250) : strMaxLength(250) },
        // 6.9.0+ (the attribute is not in the 4.20 schema)
        ...(isV6 ? { skip_authentication_policy: { default: false } } : {}),
      },
      conflicts: isV6 ? [["skip_authentication_policy", "authentication_policy"]] : [],
    },
    okta_group: {
      attributes: {
        name: { validate: isV6 ? strMaxRunes(255) : strMaxLength(255) },
        skip_users: { default: false },
        custom_profile_attributes: { suppressDiff: sameGroupProfile, validate: stringIsJSON },
      },
    },
    okta_group_memberships: {
      attributes: {
        group_id: { forceNew: true },
        track_all_users: { default: false },
      },
    },
    okta_app_group_assignments: {
      attributes: { app_id: { forceNew: true } },
      blocks: {
        group: {
          attributes: {
            priority: { suppressDiff: unsetPriority },
            // Required with DefaultFunc "{}": core sees it optional, the SDK fills "{}".
            profile: { default: "{}", suppressDiff: sameJsonObject, validate: stringIsJSON },
          },
        },
      },
    },
    okta_app_group_assignment: {
      attributes: {
        app_id: { forceNew: true },
        group_id: { forceNew: true },
        priority: { suppressDiff: unsetPriority },
        profile: { suppressDiff: sameJsonObject, validate: stringIsJSON },
        retain_assignment: { default: false },
      },
    },
    okta_app_user: {
      attributes: {
        app_id: { forceNew: true },
        user_id: { forceNew: true },
        retain_assignment: { default: false },
      },
    },
  };
}

const RESOURCE_FACTS_OF = { v4: factsOfResources(false), v6: factsOfResources(true) };
export const resourceFacts = (isV6: boolean): Record<string, BlockFacts> => (isV6 ? RESOURCE_FACTS_OF.v6 : RESOURCE_FACTS_OF.v4);

export const DATA_SOURCE_FACTS: Record<string, BlockFacts> = {
  okta_user: {
    attributes: {
      compound_search_operator: { default: "and" },
      skip_groups: { default: false },
      skip_roles: { default: false },
    },
    blocks: { search: userSearchFacts },
  },
  okta_users: {
    attributes: {
      compound_search_operator: { default: "and" },
      include_groups: { default: false },
      include_roles: { default: false },
    },
    blocks: { search: userSearchFacts },
    conflicts: [["group_id", "search"]],
  },
  okta_group: {
    attributes: { include_users: { default: false } },
    conflicts: [
      ["id", "name"],
      ["id", "type"],
    ],
  },
  okta_everyone_group: { attributes: { include_users: { default: false } } },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
