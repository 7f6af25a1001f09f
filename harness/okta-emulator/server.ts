/**
 * The HTTP front of the emulator: logs every request, counts it in its
 * rate-limit bucket, serves the OAuth token endpoint, checks the credentials
 * (the API token, or an access token and the scope of the route), applies
 * injected faults, then dispatches to the route handlers.
 */
import type http from "node:http";
import { bucketOfPath, bucketOfRoute, familyOfBucket } from "../okta-rate-limit-buckets.ts";
import { errorBody, HttpError, invalidToken, malformedBody, notFound, rateLimited } from "./errors.ts";
import { InsufficientScope, type OAuthServer } from "./oauth.ts";
import type { FaultInjector } from "./faults.ts";
import { oktaId } from "./ids.ts";
import type { RateLimiter } from "./rate-limits.ts";
import type { RequestLog } from "./request-log.ts";
import type { Router } from "./router.ts";
import type { LoggedRequest } from "./types.ts";

export interface ServerParts {
  baseUrl: () => string;
  token: string;
  router: Router;
  limiter: RateLimiter;
  faults: FaultInjector;
  log: RequestLog;
  oauth: OAuthServer;
}

const TOKEN_PATH = "/oauth2/v1/token";

export function requestListener(parts: ServerParts): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(parts, req, res, Buffer.concat(chunks)));
  };
}

function handle(parts: ServerParts, req: http.IncomingMessage, res: http.ServerResponse, rawBody: Buffer): void {
  const at = Date.now();
  const url = new URL(req.url ?? "/", parts.baseUrl());
  const method = (req.method ?? "GET").toUpperCase();
  const match = parts.router.match(method, url.pathname);
  const route = match.kind === "found" ? match.route.template : match.kind === "wrong-method" ? match.template : url.pathname;
  const bucket = match.kind === "none" ? bucketOfPath(method, url.pathname) : bucketOfRoute(method, route);
  const entry: LoggedRequest = {
    method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    route,
    bucket,
    family: familyOfBucket(bucket),
    status: 0,
    at,
  };
  parts.log.add(entry);
  res.setHeader("X-Okta-Request-Id", oktaId("req"));

  const serving = parts.limiter.enter(at);
  res.on("close", serving.done);
  const send = (code: number, payload: unknown) => {
    entry.status = code;
    res.statusCode = code;
    const finish = () => {
      if (payload === undefined || code === 204) {
        res.end();
        return;
      }
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(payload));
    };
    // A refusal for concurrency is immediate; every other answer takes the org's latency.
    if (parts.limiter.latencyMs > 0 && !serving.limited) setTimeout(finish, parts.limiter.latencyMs);
    else finish();
  };
  const sendError = (e: HttpError) => {
    for (const [name, value] of Object.entries(e.headers)) res.setHeader(name, value);
    send(e.status, e instanceof InsufficientScope ? undefined : errorBody(e));
  };

  if (serving.limited) {
    for (const [name, value] of Object.entries(serving.headers)) res.setHeader(name, value);
    return sendError(rateLimited());
  }
  const limit = parts.limiter.account(bucket, at);
  entry.rateLimit = { limit: Number(limit.headers["X-Rate-Limit-Limit"]), remaining: Number(limit.headers["X-Rate-Limit-Remaining"]) };
  for (const [name, value] of Object.entries(limit.headers)) res.setHeader(name, value);
  if (limit.limited) return sendError(rateLimited());

  // The token endpoint authenticates the client by its assertion, not by a header.
  if (url.pathname === TOKEN_PATH) {
    entry.route = TOKEN_PATH;
    if (method !== "POST") return sendError(new HttpError(405, "E0000022", "The endpoint does not support the provided HTTP method"));
    // The token URL as the client reached it (a proxy in front, as the sandbox's, keeps the Host): the assertion's aud must name it.
    const tokenUrl = `http://${req.headers.host ?? new URL(parts.baseUrl()).host}${TOKEN_PATH}`;
    void parts.oauth.token(new URLSearchParams(rawBody.toString("utf8")), tokenUrl).then(
      (answer) => send(answer.status, answer.body),
      (e: unknown) => sendError(new HttpError(500, "E0000009", `Internal Server Error: ${String(e)}`)),
    );
    return;
  }

  const anonymous = match.kind === "found" && match.route.anonymous;
  const authorization = req.headers.authorization ?? "";
  if (!anonymous && authorization.startsWith("Bearer ") && match.kind === "found") {
    try {
      parts.oauth.authorize(authorization.slice("Bearer ".length), method, route, url.pathname, parts.baseUrl());
    } catch (e) {
      return sendError(e as HttpError);
    }
    // A service app's token has no user behind it (assumed, not observed: answered as an unknown user).
    if (route === "/api/v1/users/me") return sendError(notFound("me (User)"));
  } else if (!anonymous && authorization !== `SSWS ${parts.token}`) return sendError(invalidToken());

  const fault = parts.faults.take(method, route);
  if (fault) return sendError(fault);

  let body: unknown = undefined;
  if (rawBody.length) {
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return sendError(malformedBody());
    }
  }
  if (match.kind === "none") return sendError(new HttpError(404, "E0000022", "The endpoint does not support the provided HTTP method"));
  if (match.kind === "wrong-method") return sendError(new HttpError(405, "E0000022", "The endpoint does not support the provided HTTP method"));

  let status = 200;
  try {
    const result = match.route.handler({
      url,
      params: match.params,
      body,
      status: (code) => (status = code),
      header: (name, value) => res.setHeader(name, value),
    });
    send(status, result);
  } catch (e) {
    if (e instanceof HttpError) return sendError(e);
    sendError(new HttpError(500, "E0000009", `Internal Server Error: ${String(e)}`));
  }
}
