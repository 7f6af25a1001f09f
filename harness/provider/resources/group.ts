/**
 * okta_group as okta/okta 4.20.0 does it (resource_okta_group.go):
 * - create: POST /groups, then GET /groups/{id} until it exists (10 s), then read (GET);
 * - read: GET; 404 = gone; update: PUT, then read; delete: DELETE, a 404 is an error.
 */
import { Permanent, retryExponential } from "../backoff.ts";
import type { ProviderContext } from "../config.ts";
import { errorText, suppressErrorOn404 } from "../http/sdk-errors.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import { goJson, type ResourceImpl } from "./common.ts";

/** sdk.GroupProfile's JSON: name and description, or the custom attributes with them added when non-empty. */
function buildBody(d: ResourceData) {
  const name = d.getString("name");
  const description = d.getString("description");
  let custom: Record<string, unknown> = {};
  const raw = d.getOk("custom_profile_attributes");
  if (typeof raw === "string") {
    try {
      custom = Object.fromEntries(Object.entries(JSON.parse(raw) ?? {}).filter(([, v]) => v !== null));
    } catch {
      custom = {};
    }
  }
  if (Object.keys(custom).length === 0) return { profile: { name, description } };
  return { profile: { ...custom, ...(name ? { name } : {}), ...(description ? { description } : {}) } };
}

async function read(p: ProviderContext, d: ResourceData): Promise<void> {
  let g: any;
  try {
    g = (await p.client.call("GET", `/api/v1/groups/${d.id}`)).body;
  } catch (e) {
    const err = suppressErrorOn404(e);
    if (err) throw new Error(`failed to get group: ${err.message}`);
    d.setId("");
    return;
  }
  const { name, description, ...custom } = g.profile ?? {};
  d.set("name", typeof name === "string" ? name : "");
  d.set("description", typeof description === "string" ? description : "");
  // Whatever is left of the profile (even nothing: "{}") is the custom attributes.
  if (g.profile) d.set("custom_profile_attributes", goJson(custom));
}

export const groupResource: ResourceImpl = {
  async create(p, d) {
    let created: any;
    try {
      created = (await p.client.call("POST", "/api/v1/groups", buildBody(d))).body;
    } catch (e) {
      throw new Error(`failed to create group: ${errorText(e)}`);
    }
    await retryExponential(
      async () => {
        try {
          await p.client.call("GET", `/api/v1/groups/${created.id}`);
        } catch (e) {
          const err = suppressErrorOn404(e);
          if (err) throw new Permanent(err);
          throw new Error(`group '${created.id}' hasn't been created after multiple checks`);
        }
      },
      10_000,
      "v4",
    );
    d.setId(created.id);
    await read(p, d);
  },

  read,

  async update(p, d) {
    try {
      await p.client.call("PUT", `/api/v1/groups/${d.id}`, buildBody(d));
    } catch (e) {
      throw new Error(`failed to update group: ${errorText(e)}`);
    }
    await read(p, d);
  },

  async delete(p, d) {
    try {
      await p.client.call("DELETE", `/api/v1/groups/${d.id}`);
    } catch (e) {
      throw new Error(`failed to delete group: ${errorText(e)}`);
    }
  },

  async importState(_p, d, importId) {
    const parts = importId.split("/");
    if (parts.length > 2) throw new Error("invalid format used for import ID, format must be 'group_id' or 'group_id/skip_users'");
    d.setId(parts[0]!);
    if (parts.length === 2 && parts[1] === "skip_users") d.set("skip_users", true);
  },
};
