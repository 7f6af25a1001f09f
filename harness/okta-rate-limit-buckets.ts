/**
 * Okta's rate-limit buckets for the endpoints the emulator serves, shared by
 * the emulator (which enforces them) and the stand-in provider's governor
 * (which, like okta/okta 4.20.0's `okta/internal/apimutex`, keeps account per
 * bucket). One table, so both sides classify every request identically.
 *
 * The rows are the facts of apimutex's endpoint table at v4.20.0
 * (`rate_limit_lines.go`): path class (ids as `ID`), method, bucket. Only the
 * endpoints served here are listed; anything else falls into the `/` bucket,
 * as in apimutex.
 */

export const FALLBACK_BUCKET = "/";

/** [path class, method, bucket] */
const ENDPOINT_BUCKETS: ReadonlyArray<readonly [string, string, string]> = [
  ["/.well-known/okta-organization", "GET", "/"],
  ["/api/v1/apps", "GET", "/api/v1/apps"],
  ["/api/v1/apps", "POST", "/api/v1/apps"],
  ["/api/v1/apps/ID", "DELETE", "/api/v1/apps/{id}"],
  ["/api/v1/apps/ID", "GET", "/api/v1/apps/{id}"],
  ["/api/v1/apps/ID", "PUT", "/api/v1/apps/{id}"],
  ["/api/v1/apps/ID/groups", "GET", "/api/v1/apps"],
  ["/api/v1/apps/ID/groups/ID", "DELETE", "/api/v1/apps"],
  ["/api/v1/apps/ID/groups/ID", "GET", "/api/v1/apps"],
  ["/api/v1/apps/ID/groups/ID", "PUT", "/api/v1/apps"],
  ["/api/v1/apps/ID/lifecycle/activate", "POST", "/api/v1/apps"],
  ["/api/v1/apps/ID/lifecycle/deactivate", "POST", "/api/v1/apps"],
  ["/api/v1/apps/ID/policies/ID", "PUT", "/api/v1/apps"],
  ["/api/v1/groups", "GET", "/api/v1/groups"],
  ["/api/v1/groups", "POST", "/api/v1/groups"],
  ["/api/v1/groups/ID", "DELETE", "/api/v1/groups/{id}"],
  ["/api/v1/groups/ID", "GET", "/api/v1/groups/{id}"],
  ["/api/v1/groups/ID", "PUT", "/api/v1/groups/{id}"],
  ["/api/v1/groups/ID/apps", "GET", "/api/v1/groups"],
  ["/api/v1/groups/ID/users", "GET", "/api/v1/groups"],
  ["/api/v1/groups/ID/users/ID", "DELETE", "/api/v1/groups"],
  ["/api/v1/groups/ID/users/ID", "PUT", "/api/v1/groups"],
  ["/api/v1/logs", "GET", "/api/v1/logs"],
  ["/api/v1/policies", "GET", "/api/v1"],
  ["/api/v1/policies/ID", "GET", "/api/v1"],
  ["/api/v1/users", "GET", "/api/v1/users"],
  ["/api/v1/users", "POST", "/api/v1/users"],
  ["/api/v1/users/ID", "GET", "/api/v1/users/{id:.+}"],
  ["/api/v1/users/ID/appLinks", "GET", "/api/v1/users"],
  ["/api/v1/users/ID/groups", "GET", "/api/v1/users"],
  ["/api/v1/users/ID/lifecycle/activate", "POST", "/api/v1/users"],
  ["/api/v1/users/ID/lifecycle/deactivate", "POST", "/api/v1/users"],
  ["/api/v1/users/ID/lifecycle/suspend", "POST", "/api/v1/users"],
  ["/api/v1/users/ID/lifecycle/unsuspend", "POST", "/api/v1/users"],
  ["/api/v1/users/ID/roles", "GET", "/api/v1/users"],
  ["/api/v1/users/me", "GET", "/api/v1/users/me"],
];

const bucketByKey = new Map(ENDPOINT_BUCKETS.map(([path, method, bucket]) => [`${method} ${path}`, bucket]));

/** Every bucket the table names (plus the fallback). */
export const KNOWN_BUCKETS: readonly string[] = [...new Set([FALLBACK_BUCKET, ...ENDPOINT_BUCKETS.map(([, , b]) => b)])];

/**
 * Per-minute limits of a Workforce Identity org. Apps, groups and users are
 * Okta's published figures; `/api/v1/users/{id:.+}` is the published GET-user
 * limit; `/api/v1/logs` is the published System Log limit (not in apimutex's
 * table: the provider never reads the log); `/api/v1/users/me` and `/` (well-known) are not published per bucket
 * and use the GET-user and "most other actions" figures.
 */
export const WORKFORCE_LIMITS: Readonly<Record<string, number>> = {
  "/api/v1/apps": 100,
  "/api/v1/apps/{id}": 500,
  "/api/v1/groups": 500,
  "/api/v1/groups/{id}": 1000,
  "/api/v1/users": 600,
  "/api/v1/users/{id}": 600,
  "/api/v1/users/{id:.+}": 2000,
  "/api/v1/users/me": 2000,
  "/api/v1/logs": 120,
  "/api/v1": 1200,
  "/": 1200,
};

// apimutex treats any run of 20 word characters as an Okta id, except this path element.
const OKTA_ID = /\w{20}/g;

/** The bucket of a concrete request path, classified the way apimutex does. */
export function bucketOfPath(method: string, path: string): string {
  const pathClass = path.replace(OKTA_ID, (element) => (element === "authorizationServers" ? element : "ID"));
  return bucketByKey.get(`${method.toUpperCase()} ${pathClass}`) ?? FALLBACK_BUCKET;
}

/** The bucket of a route template such as `/api/v1/apps/{id}/groups/{gid}`. */
export function bucketOfRoute(method: string, route: string): string {
  return bucketByKey.get(`${method.toUpperCase()} ${route.replace(/\{[^}]+\}/g, "ID")}`) ?? FALLBACK_BUCKET;
}

export type ApiFamily = "apps" | "groups" | "users" | "other";

/** Coarse grouping of buckets: everything under /api/v1/apps, /groups, /users, and the rest. */
export function familyOfBucket(bucket: string): ApiFamily {
  if (bucket.startsWith("/api/v1/apps")) return "apps";
  if (bucket.startsWith("/api/v1/groups")) return "groups";
  if (bucket.startsWith("/api/v1/users")) return "users";
  return "other";
}
