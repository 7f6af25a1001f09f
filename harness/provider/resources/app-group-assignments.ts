/**
 * okta_app_group_assignments as okta/okta 4.20.0 does it (resource_okta_app_group_assignments.go, app.go):
 * - create: PUT each group ({id, profile[, priority]}), then read;
 * - read: every assignment (limit=200, all pages); 404 = gone. Configured
 *   groups keep their order, groups assigned outside Terraform are appended;
 * - update: DELETE each removed group, where a 404 IS an error returned
 *   before anything is added (the state then records the planned list, as
 *   SDKv2 does: upstream #1885); else PUT EVERY configured group, then read;
 * - delete: DELETE each group; 404 suppressed.
 * okta/okta 6.1.0+ (commit f0c77cdc, PR #2323): the update's removals
 * suppress a 404 too (upstream #1885 fixed); nothing else changed to 6.12.0.
 */
import type { ProviderContext } from "../config.ts";
import { errorText, suppressErrorOn404 } from "../http/sdk-errors.ts";
import type { SdkResponse } from "../okta-client.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import { isObj, type Obj, type Value } from "../values.ts";
import { goJson, goMapOrder, str, type ResourceImpl } from "./common.ts";

/** All assignments of the app, or null when the app is gone (404). */
async function listAssignments(p: ProviderContext, appId: string): Promise<any[] | null> {
  let resp: SdkResponse;
  try {
    resp = await p.client.call("GET", `/api/v1/apps/${appId}/groups?limit=200`);
    const all: any[] = [...(resp.body ?? [])];
    while (resp.nextPage) {
      resp = await p.client.next(resp);
      all.push(...(resp.body ?? []));
    }
    return all;
  } catch (e) {
    const err = suppressErrorOn404(e);
    if (err) throw new Error(`failed to fetch group assignments: ${err.message}`);
    return null;
  }
}

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/** The configured profile, updated with the API's non-null values for the keys it already has. */
function mergedProfile(configured: Value, remote: unknown): string {
  const parsed = parseJson(str(configured));
  if (!parsed.ok || !isObj(parsed.value as Value) || !remote || typeof remote !== "object" || Array.isArray(remote)) return "";
  const out = { ...(parsed.value as Record<string, unknown>) };
  for (const [k, v] of Object.entries(remote)) if (v !== null && k in out) out[k] = v;
  return goJson(out);
}

async function read(p: ProviderContext, d: ResourceData): Promise<void> {
  const remote = await listAssignments(p, d.getString("app_id"));
  if (remote === null) {
    d.setId("");
    return;
  }
  const configured = d.getList("group");
  const priorityOf = (a: any) => (typeof a.priority === "number" && a.priority >= 0 ? a.priority : null);
  let groups: Obj[];
  if (configured.length > 0) {
    groups = [];
    for (const g of configured) {
      for (const a of remote) if (a.id === g.id) groups.push({ id: a.id, profile: mergedProfile(g.profile ?? null, a.profile), priority: priorityOf(a) });
    }
    const configuredIds = new Set(configured.map((g) => g.id));
    for (const a of remote) {
      if (configuredIds.has(a.id)) continue;
      groups.push({ id: a.id, profile: typeof a.profile === "string" ? a.profile : null, priority: priorityOf(a) });
    }
  } else {
    groups = remote.map((a) => ({ id: a.id, profile: goJson(a.profile ?? null), priority: typeof a.priority === "number" ? a.priority : null }));
  }
  d.set("group", groups);
}

export const appGroupAssignments: ResourceImpl = {
  async create(p, d) {
    const appId = d.getString("app_id");
    for (const g of d.getList("group")) {
      const profile = parseJson(str(g.profile ?? null));
      const body = {
        id: g.id,
        ...(typeof g.priority === "number" && g.priority !== 0 ? { priority: g.priority } : {}),
        ...(profile.ok && profile.value !== null ? { profile: profile.value } : {}),
      };
      try {
        await p.client.call("PUT", `/api/v1/apps/${appId}/groups/${str(g.id ?? null)}`, body);
      } catch (e) {
        throw new Error(`failed to create application group assignment: ${errorText(e)}`);
      }
    }
    d.setId(appId);
    await read(p, d);
  },

  read,

  async update(p, d, prior: Obj) {
    const appId = d.getString("app_id");
    const oldIds = new Set((Array.isArray(prior.group) ? prior.group : []).filter(isObj).map((g) => String(g.id)));
    const next = new Map<string, Obj>();
    for (const g of d.getList("group")) next.set(String(g.id), g);
    // Go map iteration: removals and additions go out in no particular order.
    for (const id of goMapOrder([...oldIds].filter((id) => !next.has(id)))) {
      try {
        await p.client.call("DELETE", `/api/v1/apps/${appId}/groups/${id}`);
      } catch (e) {
        const err = p.release.traits.assignmentRemovalIgnores404 ? suppressErrorOn404(e) : e;
        if (err) throw new Error(`failed to delete group assignment: could not delete assignment for group ${id}, to application ${appId}: ${errorText(err)}`);
      }
    }
    // Every configured group is PUT again, changed or not; the priority goes out even when unset (as 0).
    for (const [id, g] of goMapOrder([...next])) {
      const profile = parseJson(str(g.profile ?? null));
      const body = { id, priority: typeof g.priority === "number" ? g.priority : 0, ...(profile.ok && profile.value !== null ? { profile: profile.value } : {}) };
      try {
        await p.client.call("PUT", `/api/v1/apps/${appId}/groups/${id}`, body);
      } catch (e) {
        throw new Error(`failed to add/update group assignment: ${errorText(e)}`);
      }
    }
    await read(p, d);
  },

  async delete(p, d) {
    const appId = d.getString("app_id");
    for (const g of d.getList("group")) {
      try {
        await p.client.call("DELETE", `/api/v1/apps/${appId}/groups/${str(g.id ?? null)}`);
      } catch (e) {
        const err = suppressErrorOn404(e);
        if (err) throw new Error(`failed to delete application group assignment: ${err.message}`);
      }
    }
  },

  async importState(_p, d, importId) {
    d.setId(importId);
    d.set("app_id", importId);
  },
};
