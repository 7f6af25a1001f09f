/**
 * okta_app_group_assignment as okta/okta 4.20.0 does it (resource_okta_app_group_assignment.go):
 * create PUTs (retrying 500s too) then reads; update PUTs then reads; read is
 * GET /apps/{id}/groups/{gid} (404 = gone); delete is DELETE, a 404 is an
 * error, and nothing at all with retain_assignment.
 */
import type { ProviderContext } from "../config.ts";
import { errorText, suppressErrorOn404 } from "../http/sdk-errors.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import { goJson, type ResourceImpl } from "./common.ts";

function buildBody(d: ResourceData) {
  let profile: unknown = null;
  try {
    profile = JSON.parse(d.getString("profile"));
  } catch {
    profile = null;
  }
  const priority = d.getOk("priority");
  return { ...(typeof priority === "number" ? { priority } : {}), ...(profile !== null ? { profile } : {}) };
}

const path = (d: ResourceData) => `/api/v1/apps/${d.getString("app_id")}/groups/${d.getString("group_id")}`;

async function read(p: ProviderContext, d: ResourceData, retryOnStatus: number[] = []): Promise<void> {
  let g: any;
  try {
    g = (await p.client.call("GET", path(d), undefined, { retryOnStatus })).body;
  } catch (e) {
    const err = suppressErrorOn404(e);
    if (err) throw new Error(`failed to get application group assignment: ${err.message}`);
    d.setId("");
    return;
  }
  d.set("profile", goJson(g.profile ?? null));
  if (typeof g.priority === "number") d.set("priority", g.priority);
}

export const appGroupAssignment: ResourceImpl = {
  async create(p, d) {
    let assignment: any;
    try {
      assignment = (await p.client.call("PUT", path(d), buildBody(d), { retryOnStatus: [500] })).body;
    } catch (e) {
      throw new Error(`failed to create application group assignment: ${errorText(e)}`);
    }
    d.setId(assignment.id);
    // the same request context: the read retries 500s as well
    await read(p, d, [500]);
  },

  read: (p, d) => read(p, d),

  async update(p, d) {
    try {
      await p.client.call("PUT", path(d), buildBody(d));
    } catch (e) {
      throw new Error(`failed to update application group assignment: ${errorText(e)}`);
    }
    await read(p, d);
  },

  async delete(p, d) {
    if (d.getBool("retain_assignment")) return;
    try {
      await p.client.call("DELETE", path(d));
    } catch (e) {
      throw new Error(`failed to delete application group assignment: ${errorText(e)}`);
    }
  },

  async importState(p, d, importId) {
    const parts = importId.split("/");
    if (parts.length !== 2) throw new Error("invalid resource import specifier. Use: terraform import <app_id>/<group_id>");
    d.set("app_id", parts[0]!);
    d.set("group_id", parts[1]!);
    d.set("retain_assignment", false);
    const assignment = (await p.client.call("GET", path(d))).body;
    d.setId(assignment.id);
  },
};
