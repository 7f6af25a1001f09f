// A fake Cerby API: real HTTP on 127.0.0.1, JSON:API envelopes, page[number]
// and page[size] paging, X-API-Key checked, faults injectable per route/page.
// Its shapes follow src/cerby-api/mapping.ts; correct both together.
import { gzipSync } from "node:zlib";
import { dripForever, dropMidBody, sendJson, startServer, streamChunks, type RunningServer } from "./http-server.ts";

export interface Resource {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: { id: string; type: string } }>;
}

export interface FakeCerbyData {
  users: Resource[];
  teams: Resource[];
  accounts: Resource[];
  /** By team ID. */
  members: Record<string, Resource[]>;
  /** By account ID. */
  accountUsers: Record<string, Resource[]>;
  accountTeams: Record<string, Resource[]>;
}

export type FaultKind =
  | "429"
  | "500"
  | "503"
  | "drop"
  | "malformed"
  | "empty-page"
  | "not-json-api"
  /** 200 and a body that never ends, sent as fast as it is read. */
  | "endless-body"
  /** 200 and a body trickling a byte every 20 ms, never ending. */
  | "drip-body"
  /** 200, `content-encoding: gzip`: 10 MiB that inflate to 10 GiB. */
  | "gzip-bomb"
  /** 500 whose error body quotes the API key it was sent (as some servers echo the request). */
  | "echo-key-500";

export interface Fault {
  /** Route below the base URL, e.g. `/accounts`. */
  route: string;
  /** Only this page; any page when absent. */
  page?: number;
  kind: FaultKind;
  /** How many times it fires. @default 1 */
  times?: number;
  /** For 429. */
  retryAfter?: string;
}

/** How a page says how many pages there are. */
export type PagingStyle = "meta" | "links" | "next-only" | "none";

export interface RecordedRequest {
  method: string;
  route: string;
  page?: number;
  size?: number;
  apiKeyOk: boolean;
}

export class FakeCerbyApi {
  faults: Fault[] = [];
  requests: RecordedRequest[] = [];
  paging: PagingStyle = "meta";
  /** The server gives at most this many items per page whatever is asked. */
  maxPageSize = 1000;
  deleted: string[] = [];
  /** Delay before each answer, so that concurrent requests overlap. */
  latencyMs = 0;
  /** Rewrites a page's envelope before it is sent: hostile paging metadata, links, items. */
  tamper?: (body: Record<string, unknown>, route: string, page: number, pageSize: number) => void;
  /** Bytes handed to the socket for hostile bodies (endless, drip, gzip bomb). */
  hostileBytesSent = 0;
  private server?: RunningServer;

  constructor(
    public data: FakeCerbyData,
    readonly apiKey: string,
  ) {}

  get baseUrl(): string {
    return `${this.server!.origin}/api/v1/`;
  }

  get maxInFlight(): number {
    return this.server!.maxInFlight;
  }

  async start(): Promise<this> {
    this.server = await startServer(async (req, res, url) => {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const route = decodeURI(url.pathname.replace(/^\/api\/v1/, ""));
      const pageNumber = Number(url.searchParams.get("page[number]") ?? "1");
      const pageSize = Math.min(this.maxPageSize, Number(url.searchParams.get("page[size]") ?? "20"));
      const apiKeyOk = req.headers["x-api-key"] === this.apiKey;
      this.requests.push({ method: req.method ?? "", route, page: pageNumber, size: pageSize, apiKeyOk });
      if (!apiKeyOk) return sendJson(res, 401, { errors: [{ status: "401", title: "Unauthorized" }] });

      if (req.method === "DELETE") {
        const match = /^\/users\/([^/]+)$/.exec(route);
        if (!match) return sendJson(res, 404, { errors: [{ title: "Not found" }] });
        const id = decodeURIComponent(match[1]!);
        const fault = this.takeFault(route, undefined);
        if (fault) return this.fail(res, fault, {}, req.headers["x-api-key"] as string);
        const before = this.data.users.length;
        this.data.users = this.data.users.filter((user) => user.id !== id);
        if (this.data.users.length === before) return sendJson(res, 404, { errors: [{ title: "Not found" }] });
        this.deleted.push(id);
        res.writeHead(204).end();
        return;
      }

      const items = this.itemsOf(route);
      if (!items) return sendJson(res, 404, { errors: [{ title: `no route ${route}` }] });
      const totalPages = Math.max(1, Math.ceil(items.length / pageSize));
      const data = items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      const link = (n: number) => `${url.pathname}?page%5Bnumber%5D=${n}&page%5Bsize%5D=${pageSize}`;
      const body: Record<string, unknown> = { data, links: { self: link(pageNumber) } };
      const links = body.links as Record<string, unknown>;
      if (this.paging === "meta") body.meta = { page: { number: pageNumber, size: pageSize, total: items.length, totalPages } };
      if (this.paging === "links") links.last = link(totalPages);
      if (this.paging === "links" || this.paging === "next-only") links.next = pageNumber < totalPages ? link(pageNumber + 1) : null;

      this.tamper?.(body, route, pageNumber, pageSize);
      const fault = this.takeFault(route, pageNumber);
      if (fault) return this.fail(res, fault, body, req.headers["x-api-key"] as string);
      sendJson(res, 200, body);
    });
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  requestsTo(route: string): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  private itemsOf(route: string): Resource[] | undefined {
    if (route === "/users") return this.data.users;
    if (route === "/teams") return this.data.teams;
    if (route === "/accounts") return this.data.accounts;
    let match = /^\/teams\/([^/]+)\/members$/.exec(route);
    if (match) return this.data.members[match[1]!] ?? [];
    match = /^\/accounts\/([^/]+)\/users$/.exec(route);
    if (match) return this.data.accountUsers[match[1]!] ?? [];
    match = /^\/accounts\/([^/]+)\/teams$/.exec(route);
    if (match) return this.data.accountTeams[match[1]!] ?? [];
    return undefined;
  }

  private takeFault(route: string, page: number | undefined): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => candidate.route === route && (candidate.page === undefined || candidate.page === page) && (candidate.times ?? 1) > 0,
    );
    if (fault) fault.times = (fault.times ?? 1) - 1;
    return fault;
  }

  private fail(res: import("node:http").ServerResponse, fault: Fault, body: unknown, sentKey: string): void {
    const sent = (bytes: number) => void (this.hostileBytesSent += bytes);
    switch (fault.kind) {
      case "endless-body":
        return streamChunks(res, Buffer.from(`{"data":[${'{"id":"x","type":"users"},'.repeat(2000)}`), {}, sent);
      case "drip-body":
        return dripForever(res, 20, sent);
      case "gzip-bomb":
        // Concatenated gzip members are one valid gzip stream: 10,240 x 1 MiB of spaces.
        return streamChunks(res, gzipMember(), { "content-encoding": "gzip" }, sent, 10_240);
      case "echo-key-500":
        // The key sits at character 190 of the message: an excerpt cut at 200 must not leave half of it.
        return sendJson(res, 500, {
          errors: [{ status: "500", title: `${"x".repeat(170)} bad header X-API-Key: ${sentKey} (echoed), retry later`, meta: { apiKey: sentKey } }],
        });
      case "429":
        return sendJson(res, 429, { errors: [{ status: "429", title: "Too many requests, retry in 5 minutes" }] }, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
      case "500":
      case "503":
        return sendJson(res, Number(fault.kind), { errors: [{ status: fault.kind, title: "Server error" }] });
      case "drop":
        return dropMidBody(res, body);
      case "malformed":
        return sendJson(res, 200, `${JSON.stringify(body).slice(0, 40)}<html>oops`);
      case "empty-page":
        return sendJson(res, 200, { ...(body as object), data: [] });
      case "not-json-api":
        return sendJson(res, 200, { items: (body as { data: unknown }).data });
    }
  }
}

let member: Buffer | undefined;
/** 1 MiB of spaces (valid JSON white space), gzipped to about 1 KiB. */
function gzipMember(): Buffer {
  member ??= gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
  return member;
}

// ---------------------------------------------------------------- data builders

export function user(id: string, email: string, role = "User", extra: Record<string, unknown> = {}): Resource {
  return { id, type: "users", attributes: { email, role, ...extra } };
}

export function team(id: string, name: string, oktaGroupId?: string): Resource {
  return { id, type: "teams", attributes: { name, ...(oktaGroupId ? { oktaGroupId } : {}) } };
}

export function account(id: string, name: string, app: string, extended?: { by: string; at: string }): Resource {
  return {
    id,
    type: "accounts",
    attributes: { name, app, ...(extended ? { okta: { extendedBy: extended.by, extendedAt: extended.at } } : {}) },
  };
}

/** A membership or grant resource pointing at a user or team. */
export function ref(kind: "user" | "team", id: string, role?: string): Resource {
  return {
    id: `${kind}-link-${id}`,
    type: kind === "user" ? "account-users" : "account-teams",
    attributes: role ? { role } : {},
    relationships: { [kind]: { data: { id, type: `${kind}s` } } },
  };
}

export function emptyData(): FakeCerbyData {
  return { users: [], teams: [], accounts: [], members: {}, accountUsers: {}, accountTeams: {} };
}

/** A small, realistic workspace. */
export function smallWorkspace(): FakeCerbyData {
  return {
    users: [
      user("u-carol", "carol@acme.example", "Login Only"),
      user("u-alice", "alice@acme.example", "Owner", { oktaUserId: "00ualice", lastLoginAt: "2026-01-01" }),
      user("u-bob", "bob@acme.example", "user"),
    ],
    teams: [team("t-social", "Social Media", "00gsocial"), team("t-agency", "Agency Partners")],
    accounts: [
      account("a-contentzilla", "Contentzilla", "Instagram", { by: "u-alice", at: "2026-02-01T09:00:00Z" }),
      account("a-vendor", "Vendor Portal", "Acme Vendors"),
    ],
    members: { "t-social": [ref("user", "u-alice")], "t-agency": [ref("user", "u-carol"), ref("user", "u-bob")] },
    accountUsers: {
      "a-contentzilla": [ref("user", "u-alice", "Owner"), ref("user", "u-bob", "Collaborator")],
      "a-vendor": [ref("user", "u-carol", "manager")],
    },
    accountTeams: { "a-contentzilla": [ref("team", "t-social", "collaborator")], "a-vendor": [ref("team", "t-agency", "owner")] },
  };
}

/** `n` accounts, each owned by one of `users` users. */
export function largeWorkspace(n: number, users = 7): FakeCerbyData {
  const data = emptyData();
  for (let i = 0; i < users; i++) data.users.push(user(`u-${String(i).padStart(3, "0")}`, `user${i}@acme.example`));
  for (let i = 0; i < n; i++) {
    const id = `a-${String(i).padStart(5, "0")}`;
    data.accounts.push(account(id, `Account ${i}`, i % 2 ? "Instagram" : "X"));
    data.accountUsers[id] = [ref("user", `u-${String(i % users).padStart(3, "0")}`, "owner")];
  }
  // Server order is not ID order: the snapshot must sort.
  data.accounts.reverse();
  return data;
}
