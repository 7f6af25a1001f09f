import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/http/http-client.ts";
import {
  mapAccount,
  mapAccountTeam,
  mapAccountUser,
  mapTeam,
  mapTeamMember,
  mapUser,
  normalizeRole,
  readPage,
} from "../../src/cerby-api/mapping.ts";

const where = { route: "/users", page: 2, index: 6 };

describe("the Cerby API mapping", () => {
  it("reads users in camelCase or snake_case, ignoring fields it does not know", () => {
    expect(mapUser({ id: "u-1", type: "users", attributes: { email: "a@x.example", role: "Super Admin", avatar: "x.png" } }, where)).toEqual({
      id: "u-1",
      email: "a@x.example",
      workspaceRole: "super_admin",
    });
    expect(mapUser({ id: "42", attributes: { email: "b@x.example", workspace_role: "login-only", okta_user_id: "00u42" } }, where)).toEqual({
      id: "42",
      email: "b@x.example",
      workspaceRole: "login_only",
      oktaUserId: "00u42",
    });
  });

  it("refuses IDs that are not strings, so that 1 and \"1\" can never become one ID", () => {
    expect(() => mapUser({ id: 1, attributes: { email: "b@x.example", role: "user" } }, where)).toThrow(
      'Cerby API GET /users page 2, item 7: `id` is the number 1, not a string: IDs must be strings (JSON:API), and the number 1 would be confused with the ID "1"',
    );
    expect(() => mapTeamMember({ id: "m-1", relationships: { user: { data: { id: 7, type: "users" } } } }, where)).toThrow(
      '(id "m-1"): relationships.user.data.id is the number 7, not a string',
    );
    expect(() => mapAccountTeam({ id: "g-1", attributes: { team_id: 3, role: "owner" } }, where)).toThrow("attributes.teamId is the number 3");
    expect(() => mapUser({ id: { nested: true }, attributes: {} }, where)).toThrow("`id` must be a string, not object");
    expect(() => mapUser({ id: "x".repeat(5000), attributes: {} }, where)).toThrow("is 5000 characters long, more than 200");
  });

  it("names route, page, item and ID when a field is missing or wrong", () => {
    expect(() => mapUser({ id: "u-1", attributes: { role: "user" } }, where)).toThrow('Cerby API GET /users page 2, item 7 (id "u-1"): missing attributes.email');
    expect(() => mapUser({ attributes: {} }, where)).toThrow("Cerby API GET /users page 2, item 7: the item has no `id`");
    expect(() => mapUser("nope", where)).toThrow("GET /users page 2, item 7: the item is not an object");
    expect(() => mapUser({ id: "u-1", attributes: { email: ["a"], role: "user" } }, where)).toThrow("attributes.email must be a string");
    expect(() => mapUser({ id: "u-1", attributes: { email: "a@x", role: "wizard" } }, where)).toThrow('attributes.role "wizard" is not a known workspace role');
  });

  it("tells IdP-managed teams by their Okta group", () => {
    expect(mapTeam({ id: "t-1", attributes: { name: "Social", okta_group_id: "00g1" } }, where)).toEqual({ id: "t-1", name: "Social", oktaGroupId: "00g1" });
    expect(mapTeam({ id: "t-2", attributes: { name: "Agency" } }, where)).toEqual({ id: "t-2", name: "Agency" });
  });

  it("finds the user of a membership or grant through relationships, attributes, or the item itself", () => {
    expect(mapTeamMember({ id: "m-1", relationships: { user: { data: { id: "u-1", type: "users" } } } }, where)).toBe("u-1");
    expect(mapTeamMember({ id: "m-2", attributes: { user_id: "u-2" } }, where)).toBe("u-2");
    expect(mapTeamMember({ id: "u-3", type: "users", attributes: { email: "c@x" } }, where)).toBe("u-3");
    expect(mapAccountUser({ id: "u-4", attributes: { role: "Collaborator" } }, where)).toEqual({ userId: "u-4", role: "collaborator" });
    expect(mapAccountTeam({ id: "g-1", attributes: { teamId: "t-1", account_role: "OWNER" } }, where)).toEqual({ teamId: "t-1", role: "owner" });
    expect(() => mapAccountUser({ id: "u-4", attributes: {} }, where)).toThrow("missing attributes.role");
  });

  it("reads accounts with the app as a name or an object, and the Okta extension in either shape", () => {
    expect(mapAccount({ id: "a-1", attributes: { name: "Contentzilla", app: { name: "Instagram", id: 7 } } }, where)).toEqual({ id: "a-1", name: "Contentzilla", app: "Instagram" });
    expect(
      mapAccount({ id: "a-2", attributes: { label: "Reels", app_name: "TikTok", extended_by: "u-1", extended_at: "2026-02-01T09:00:00Z" } }, where),
    ).toEqual({ id: "a-2", name: "Reels", app: "TikTok", okta: { extendedBy: "u-1", extendedAt: "2026-02-01T09:00:00Z" } });
    expect(() => mapAccount({ id: "a-3", attributes: { name: "X", app: "X", okta: { extendedBy: "u-1" } } }, where)).toThrow("names only one of extendedBy and extendedAt");
    expect(() => mapAccount({ id: "a-4", attributes: { name: "X" } }, where)).toThrow("missing attributes.app");
  });

  it("reads paging hints from meta, links.last, or not at all", () => {
    expect(readPage({ data: [], meta: { page: { total: 250, totalPages: 3 } } }, where)).toMatchObject({ totalItems: 250, totalPages: 3 });
    expect(readPage({ data: [], meta: { total_count: 9 } }, where)).toMatchObject({ totalItems: 9, totalPages: undefined });
    expect(readPage({ data: [], links: { last: "/api/v1/users?page%5Bnumber%5D=12&page%5Bsize%5D=5", next: "/x" } }, where)).toMatchObject({ totalPages: 12, next: "/x" });
    expect(readPage({ data: [], links: { next: null } }, where)).toEqual({ data: [], totalPages: undefined, totalItems: undefined, next: undefined });
    expect(() => readPage({ items: [] }, where)).toThrow("Cerby API GET /users page 2, item 7: the answer has no `data` list");
    expect(() => readPage([1], { route: "/teams", page: 1 })).toThrow("Cerby API GET /teams page 1: the answer is not a JSON object");
  });

  it("normalizes role spellings", () => {
    expect(["Owner", "super-admin", " LOGIN ONLY ", "guest"].map(normalizeRole)).toEqual(["owner", "super_admin", "login_only", "guest"]);
  });
});

describe("Retry-After", () => {
  it("is seconds or an HTTP date", () => {
    const now = Date.parse("2026-03-01T10:00:00Z");
    expect(parseRetryAfter("300", now)).toBe(300_000);
    expect(parseRetryAfter("Sun, 01 Mar 2026 10:05:00 GMT", now)).toBe(300_000);
    expect(parseRetryAfter("Sun, 01 Mar 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
