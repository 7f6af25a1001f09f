// The Cerby API emulator: real HTTP on 127.0.0.1, one or more workspaces each
// under `/<workspace id>/api/v1/` (the real API is `https://<name>.cerby.com/api/v1/`),
// JSON:API envelopes, `page[number]`/`page[size]` paging with `meta.page`
// totals, `X-API-Key` checked. A key belongs to one workspace and one user,
// its creator, and sees only the accounts that user owns, even in all-access
// mode, as Cerby's developer documentation says. Faults (429 with
// Retry-After, 5xx, hostile bodies) are injectable per route and page.
// The routes and shapes are those src/cerby-api/mapping.ts assumes; what is
// modelled and what is assumed is listed in harness/README.md.
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { dripForever, dropMidBody, sendJson, startServer, streamChunks, type RunningServer } from "../http-server.ts";
import { ownedAccountIds, targetOf, type CerbyData, type Resource } from "./resources.ts";

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
  /** Route below the base URL, e.g. `/accounts`; `*` matches every route. */
  route: string;
  /** Only this page; any page when absent. */
  page?: number;
  kind: FaultKind;
  /** How many times it fires. @default 1 */
  times?: number;
  /** For 429: the `Retry-After` header (seconds or an HTTP date); none when absent. */
  retryAfter?: string;
}

/** How a page says how many pages there are. */
export type PagingStyle = "meta" | "links" | "next-only" | "none";

/** One request answered. No key is ever recorded, only whether it was accepted. */
export interface RecordedRequest {
  method: string;
  /** The workspace's mount (its ID; "" for a single workspace at `/api/v1/`). */
  workspace: string;
  route: string;
  page?: number;
  size?: number;
  apiKeyOk: boolean;
  status: number;
}

export interface EmulatedWorkspace {
  /** Mounted at `/<id>/api/v1/`; "" mounts it at `/api/v1/`. */
  readonly id: string;
  data: CerbyData;
  /**
   * Whether `GET /workspace` answers the workspace's own counts (accounts,
   * users, teams, whatever the key sees). An assumption: Cerby's public
   * documentation shows no such route. @default true
   */
  counts: boolean;
}

interface KeyGrant {
  readonly workspace: string;
  /** The Cerby user who created the key. Undefined only for unit tests of paging and faults whose data names no owner (FakeCerbyApi). */
  readonly creator: string | undefined;
}

/** Workspace roles that may remove users from a workspace (DELETE /users/{id}). */
const MAY_REMOVE_USERS = new Set(["owner", "super_admin", "admin"]);

export class CerbyEmulator {
  faults: Fault[] = [];
  requests: RecordedRequest[] = [];
  paging: PagingStyle = "meta";
  /** The server gives at most this many items per page whatever is asked. */
  maxPageSize = 1000;
  /** Users removed, as `<workspace mount>/<user id>` ("" mount: just the ID). */
  deleted: string[] = [];
  /** Delay before each answer, so that concurrent requests overlap. */
  latencyMs = 0;
  /** Rewrites a page's envelope before it is sent: hostile paging metadata, links, items. */
  tamper?: (body: Record<string, unknown>, route: string, page: number, pageSize: number) => void;
  /** Bytes handed to the socket for hostile bodies (endless, drip, gzip bomb). */
  hostileBytesSent = 0;
  readonly workspaces = new Map<string, EmulatedWorkspace>();
  private readonly keys = new Map<string, KeyGrant>();
  private server?: RunningServer;

  constructor(workspaces: readonly { id: string; data: CerbyData; counts?: boolean }[]) {
    for (const workspace of workspaces) this.workspaces.set(workspace.id, { id: workspace.id, data: workspace.data, counts: workspace.counts ?? true });
  }

  /** A new API key of `workspace`, created by the Cerby user `creator`; random unless given. */
  addKey(workspace: string, creator: string | undefined, key = `cerby_${randomBytes(18).toString("base64url")}`): string {
    if (!this.workspaces.has(workspace)) throw new Error(`no emulated workspace ${JSON.stringify(workspace)}`);
    if (creator !== undefined && !this.workspaces.get(workspace)!.data.users.some((item) => item.id === creator)) {
      throw new Error(`the key's creator ${JSON.stringify(creator)} is not a user of workspace ${JSON.stringify(workspace)}`);
    }
    this.keys.set(key, { workspace, creator });
    return key;
  }

  /** The next `times` requests (any route) answer 429, with `Retry-After` when given. */
  rateLimitNext(times: number, retryAfter?: string): void {
    this.faults.push({ route: "*", kind: "429", times, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  get origin(): string {
    if (!this.server) throw new Error("the Cerby emulator is not started");
    return this.server.origin;
  }

  /** The base URL of a workspace's API, as `--base-url` takes it. */
  baseUrlOf(workspace: string): string {
    return `${this.origin}${mountOf(workspace)}/api/v1/`;
  }

  get maxInFlight(): number {
    return this.server!.maxInFlight;
  }

  /** Accounts a key's creator owns in its workspace: what that key lists. */
  visibleAccounts(workspace: EmulatedWorkspace, creator: string | undefined): Resource[] {
    if (creator === undefined) return workspace.data.accounts;
    const owned = ownedAccountIds(workspace.data, creator);
    return workspace.data.accounts.filter((item) => owned.has(item.id));
  }

  /** Listens on 127.0.0.1 only; `port` 0 (the default) picks a free one. */
  async start(port = 0): Promise<this> {
    this.server = await startServer(async (req, res, url) => {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const record: RecordedRequest = { method: req.method ?? "", workspace: "", route: url.pathname, apiKeyOk: false, status: 0 };
      this.requests.push(record);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        sendJson(res, status, body, headers);
      };
      const located = this.locate(url.pathname);
      if (!located) return send(404, { errors: [{ status: "404", title: "Not found" }] });
      const { workspace, route } = located;
      Object.assign(record, { workspace: workspace.id, route });
      const sentKey = req.headers["x-api-key"];
      const grant = typeof sentKey === "string" ? this.keys.get(sentKey) : undefined;
      record.apiKeyOk = grant !== undefined && grant.workspace === workspace.id;
      if (!record.apiKeyOk) return send(401, { errors: [{ status: "401", title: "Unauthorized", detail: "invalid or missing X-API-Key" }] });
      const key = sentKey as string;

      if (req.method === "DELETE") {
        const fault = this.takeFault(route, undefined);
        if (fault) return this.fail(res, record, fault, {}, key);
        return this.removeUser(workspace, grant!.creator, route, send, () => {
          record.status = 204;
          res.writeHead(204).end();
        });
      }
      if (req.method !== "GET") return send(405, { errors: [{ status: "405", title: "Method not allowed" }] });

      if (route === "/workspace") {
        if (!workspace.counts) return send(404, { errors: [{ status: "404", title: `no route ${route}` }] });
        const fault = this.takeFault(route, undefined);
        if (fault) return this.fail(res, record, fault, {}, key);
        const { data } = workspace;
        return send(200, {
          data: { id: workspace.id, type: "workspaces", attributes: { accountCount: data.accounts.length, userCount: data.users.length, teamCount: data.teams.length } },
        });
      }

      const pageNumber = Number(url.searchParams.get("page[number]") ?? "1");
      const askedSize = Number(url.searchParams.get("page[size]") ?? "20");
      if (!Number.isInteger(pageNumber) || pageNumber < 1 || !Number.isInteger(askedSize) || askedSize < 1) {
        return send(400, { errors: [{ status: "400", title: "Bad request", detail: "page[number] and page[size] must be positive integers" }] });
      }
      const pageSize = Math.min(this.maxPageSize, askedSize);
      Object.assign(record, { page: pageNumber, size: pageSize });
      const items = this.itemsOf(workspace, grant!.creator, route);
      if (!items) return send(404, { errors: [{ status: "404", title: `no route ${route}` }] });
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
      if (fault) return this.fail(res, record, fault, body, key);
      send(200, body);
    }, port);
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  requestsTo(route: string): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  private locate(pathname: string): { workspace: EmulatedWorkspace; route: string } | undefined {
    let decoded: string;
    try {
      decoded = decodeURI(pathname);
    } catch {
      return undefined;
    }
    for (const workspace of this.workspaces.values()) {
      const prefix = `${workspace.id === "" ? "" : `/${workspace.id}`}/api/v1`;
      if (decoded.startsWith(`${prefix}/`)) return { workspace, route: decoded.slice(prefix.length) };
    }
    return undefined;
  }

  private itemsOf(workspace: EmulatedWorkspace, creator: string | undefined, route: string): Resource[] | undefined {
    const { data } = workspace;
    if (route === "/users") return data.users;
    if (route === "/teams") return data.teams;
    if (route === "/accounts") return this.visibleAccounts(workspace, creator);
    let match = /^\/teams\/([^/]+)\/members$/.exec(route);
    if (match) return data.teams.some((item) => item.id === match![1]) ? (data.members[match[1]!] ?? []) : undefined;
    match = /^\/accounts\/([^/]+)\/(users|teams)$/.exec(route);
    // An account the key may not see is as unknown to it as one that does not exist.
    if (!match || !this.visibleAccounts(workspace, creator).some((item) => item.id === match![1])) return undefined;
    return (match[2] === "users" ? data.accountUsers : data.accountTeams)[match[1]!] ?? [];
  }

  /** DELETE /users/{id}: the user leaves the workspace with their grants and team memberships. */
  private removeUser(workspace: EmulatedWorkspace, creator: string | undefined, route: string, send: (status: number, body: unknown) => void, noContent: () => void): void {
    const match = /^\/users\/([^/]+)$/.exec(route);
    if (!match) return send(404, { errors: [{ status: "404", title: "Not found" }] });
    const { data } = workspace;
    if (creator !== undefined) {
      const role = String(data.users.find((item) => item.id === creator)?.attributes.role ?? "").toLowerCase();
      if (!MAY_REMOVE_USERS.has(role)) {
        return send(403, { errors: [{ status: "403", title: "Forbidden", detail: "only a workspace owner or admin may remove users" }] });
      }
    }
    const id = match[1]!;
    const before = data.users.length;
    data.users = data.users.filter((item) => item.id !== id);
    if (data.users.length === before) return send(404, { errors: [{ status: "404", title: "Not found" }] });
    for (const members of [data.members, data.accountUsers]) {
      for (const [key, list] of Object.entries(members)) members[key] = list.filter((item) => targetOf(item, "user") !== id);
    }
    this.deleted.push(workspace.id === "" ? id : `${workspace.id}/${id}`);
    noContent();
  }

  private takeFault(route: string, page: number | undefined): Fault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        (candidate.route === route || candidate.route === "*") && (candidate.page === undefined || candidate.page === page) && (candidate.times ?? 1) > 0,
    );
    if (fault) fault.times = (fault.times ?? 1) - 1;
    return fault;
  }

  private fail(res: ServerResponse, record: RecordedRequest, fault: Fault, body: unknown, sentKey: string): void {
    const sent = (bytes: number) => void (this.hostileBytesSent += bytes);
    const send = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, answer, headers);
    };
    record.status = 200;
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
        return send(500, {
          errors: [{ status: "500", title: `${"x".repeat(170)} bad header X-API-Key: ${sentKey} (echoed), retry later`, meta: { apiKey: sentKey } }],
        });
      case "429":
        return send(429, { errors: [{ status: "429", title: "Too many requests, retry in 5 minutes" }] }, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
      case "500":
      case "503":
        return send(Number(fault.kind), { errors: [{ status: fault.kind, title: "Server error" }] });
      case "drop":
        return dropMidBody(res, body);
      case "malformed":
        return send(200, `${JSON.stringify(body).slice(0, 40)}<html>oops`);
      case "empty-page":
        return send(200, { ...(body as object), data: [] });
      case "not-json-api":
        return send(200, { items: (body as { data: unknown }).data });
    }
  }
}

function mountOf(workspace: string): string {
  return workspace === "" ? "" : `/${encodeURIComponent(workspace)}`;
}

let member: Buffer | undefined;
/** 1 MiB of spaces (valid JSON white space), gzipped to about 1 KiB. */
function gzipMember(): Buffer {
  member ??= gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
  return member;
}
