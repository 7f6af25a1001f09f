/**
 * okta_app_bookmark as okta/okta 4.20.0 does it (resource_okta_app_bookmark.go,
 * app.go, app_authentication_policy.go, policy.go):
 * - create: POST /apps?activate=<status == ACTIVE>, then the access policy
 *   (OIE: GET /policies?type=ACCESS_POLICY, PUT /apps/{id}/policies/{pid}),
 *   then read. The id is recorded right after the POST, so a later failure
 *   leaves a tainted object.
 * - read: GET /apps/{id}; 404 = gone.
 * - update: activate/deactivate only if status changed (and nothing else when
 *   only status changed); else PUT the app, PUT its policy, read.
 * - delete: deactivate if the state says ACTIVE, then DELETE retried for 5 s;
 *   a 404 is an error.
 * okta/okta 6.12.0 (okta/services/idaas/resource_okta_app_bookmark.go, app.go):
 * - skip_authentication_policy = true (6.9.0+): create and update make no
 *   policy call, and read sets authentication_policy to "" without asking
 *   the org kind;
 * - delete: the deactivation is retried for 20 s and the DELETE for 30 s
 *   (500s included); a 404 is still an error, after those retries.
 */
import { retryExponential } from "../backoff.ts";
import type { ProviderContext } from "../config.ts";
import { errorText, responseErr, suppressErrorOn404 } from "../http/sdk-errors.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import type { Obj } from "../values.ts";
import { baseName, goJson, hasChange, type ResourceImpl } from "./common.ts";

function buildBody(d: ResourceData) {
  const appLinks = d.getOk("app_links_json");
  const admin = d.getOk("admin_note");
  const enduser = d.getOk("enduser_note");
  return {
    accessibility: {
      ...(d.getString("accessibility_error_redirect_url") ? { errorRedirectUrl: d.getString("accessibility_error_redirect_url") } : {}),
      ...(d.getString("accessibility_login_redirect_url") ? { loginRedirectUrl: d.getString("accessibility_login_redirect_url") } : {}),
      selfService: d.getBool("accessibility_self_service"),
    },
    label: d.getString("label"),
    name: "bookmark",
    settings: {
      app: { requestIntegration: d.getBool("request_integration"), url: d.getString("url") },
      notes: { admin: typeof admin === "string" ? admin : null, enduser: typeof enduser === "string" ? enduser : null },
    },
    signOnMode: "BOOKMARK",
    visibility: {
      ...(typeof appLinks === "string" ? { appLinks: JSON.parse(appLinks) } : {}),
      autoSubmitToolbar: d.getBool("auto_submit_toolbar"),
      hide: { iOS: d.getBool("hide_ios"), web: d.getBool("hide_web") },
    },
  };
}

/** The stand-in does not upload logos (no local files in tests). */
function refuseLogo(d: ResourceData): void {
  if (d.getOk("logo") !== null) throw new Error("the stand-in okta provider does not upload app logos (logo)");
}

async function findDefaultAccessPolicyId(p: ProviderContext): Promise<string> {
  let policies: any[];
  try {
    policies = (await p.client.call("GET", "/api/v1/policies?type=ACCESS_POLICY")).body ?? [];
  } catch (e) {
    throw new Error(`error finding default ACCESS_POLICY ${errorText(e)}`);
  }
  const system = policies.filter((policy) => policy.system === true);
  if (system.length !== 1) throw new Error("cannot find default ACCESS_POLICY policy");
  return system[0].id;
}

/** createOrUpdateAuthenticationPolicy: the configured (or known) policy, else the org's default on OIE; nothing with skip_authentication_policy (6.9+). */
async function setPolicy(p: ProviderContext, d: ResourceData, appId: string): Promise<void> {
  if (d.getBool("skip_authentication_policy")) return;
  const policyId = d.getOk("authentication_policy");
  if (typeof policyId === "string") {
    await p.client.call("PUT", `/api/v1/apps/${appId}/policies/${policyId}`);
    return;
  }
  if (await p.isClassicOrg()) return;
  const defaultId = await findDefaultAccessPolicyId(p);
  await p.client.call("PUT", `/api/v1/apps/${appId}/policies/${defaultId}`);
}

async function read(p: ProviderContext, d: ResourceData): Promise<void> {
  let app: any;
  try {
    app = (await p.client.call("GET", `/api/v1/apps/${d.id}`)).body;
  } catch (e) {
    const err = suppressErrorOn404(e);
    if (err) throw new Error(`failed to get bookmark application: ${err.message}`);
    d.setId("");
    return;
  }
  if (d.getBool("skip_authentication_policy")) d.set("authentication_policy", "");
  else if (!(await p.isClassicOrg())) {
    const href = app._links?.accessPolicy?.href;
    if (typeof href === "string" && href !== "") d.set("authentication_policy", baseName(href));
  }
  d.set("url", app.settings?.app?.url ?? "");
  d.set("request_integration", app.settings?.app?.requestIntegration ?? false);
  d.set("name", app.name ?? "");
  d.set("status", app.status ?? "");
  d.set("sign_on_mode", app.signOnMode ?? "");
  d.set("label", app.label ?? "");
  if (app.accessibility) {
    d.set("accessibility_self_service", app.accessibility.selfService ?? false);
    d.set("accessibility_error_redirect_url", app.accessibility.errorRedirectUrl ?? "");
    d.set("accessibility_login_redirect_url", app.accessibility.loginRedirectUrl ?? "");
  }
  d.set("auto_submit_toolbar", app.visibility?.autoSubmitToolbar ?? false);
  d.set("hide_ios", app.visibility?.hide?.iOS ?? false);
  d.set("hide_web", app.visibility?.hide?.web ?? false);
  const notes = app.settings?.notes;
  if (notes) {
    // *string fields: a nil note leaves the attribute unset
    d.set("admin_note", typeof notes.admin === "string" ? notes.admin : null);
    d.set("enduser_note", typeof notes.enduser === "string" ? notes.enduser : null);
  }
  const appLinks = app.visibility?.appLinks;
  if (appLinks && Object.keys(appLinks).length > 0) d.set("app_links_json", goJson(appLinks));
  const logo = Array.isArray(app._links?.logo) ? app._links.logo[0] : app._links?.logo;
  d.set("logo_url", typeof logo?.href === "string" ? logo.href : "");
}

export const appBookmark: ResourceImpl = {
  async create(p, d) {
    refuseLogo(d);
    const activate = d.getString("status") === "ACTIVE";
    let app: any;
    try {
      app = (await p.client.call("POST", `/api/v1/apps?activate=${activate}`, buildBody(d))).body;
    } catch (e) {
      throw new Error(`failed to create bookmark application: ${errorText(e)}`);
    }
    d.setId(app.id);
    try {
      await setPolicy(p, d, app.id);
    } catch (e) {
      throw new Error(`failed to set authentication policy for bookmark application: ${errorText(e)}`);
    }
    await read(p, d);
  },

  read,

  async update(p, d, prior: Obj) {
    const status = d.getString("status");
    const statusChanged = hasChange(prior, d, "status");
    const otherChanges = Object.keys(prior).some((k) => k !== "status" && k !== "timeouts" && hasChange(prior, d, k));
    if (statusChanged && (status === "INACTIVE" || status === "ACTIVE")) {
      try {
        await p.client.call("POST", `/api/v1/apps/${d.id}/lifecycle/${status === "ACTIVE" ? "activate" : "deactivate"}`);
      } catch (e) {
        throw responseErr(e);
      }
    }
    if (!otherChanges) return;
    let app: any;
    try {
      app = (await p.client.call("PUT", `/api/v1/apps/${d.id}`, buildBody(d))).body;
    } catch (e) {
      throw new Error(`failed to update bookmark application: ${errorText(e)}`);
    }
    if (hasChange(prior, d, "logo")) refuseLogo(d);
    try {
      await setPolicy(p, d, app.id);
    } catch (e) {
      throw new Error(`failed to set authentication policy for bookmark application: ${errorText(e)}`);
    }
    await read(p, d);
  },

  async delete(p, d) {
    const deactivate = async () => void (await p.client.call("POST", `/api/v1/apps/${d.id}/lifecycle/deactivate`));
    const remove = async () => void (await p.client.call("DELETE", `/api/v1/apps/${d.id}`));
    try {
      if (d.getString("status") === "ACTIVE") await (p.release.isV6 ? retryExponential(deactivate, 20_000, "v2") : deactivate());
      // Okta can be eventually consistent after a deactivation: the provider retries the DELETE (5 s; 30 s in 6.x).
      await retryExponential(remove, p.release.isV6 ? 30_000 : 5000, "v2");
    } catch (e) {
      throw new Error(`failed to delete bookmark application: ${errorText(e)}`);
    }
  },

  async importState(_p, d, importId) {
    const parts = importId.split("/");
    if (parts.length > 3) throw new Error("invalid format used for import ID, format must be 'app_id' or 'app_id/skip_users' or 'app_id/skip_users/skip_groups'");
    // appImporter sets every named attribute to true; one the schema lacks
    // (skip_users, skip_groups; skip_authentication_policy before 6.9) is
    // dropped silently there too, and here by the schema when recorded.
    d.setId(parts[0]!);
    for (const name of parts.slice(1)) d.set(name, true);
  },
};
