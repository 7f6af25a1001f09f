/**
 * In-memory emulator of the parts of the Okta Management API that cerby-okta
 * and the stand-in okta/okta provider use: a real HTTP server on 127.0.0.1
 * with an ephemeral port; every request is logged, counted per Okta
 * rate-limit bucket, and can be refused (rate limits, injected faults).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpError } from "./errors.ts";
import { FaultInjector } from "./faults.ts";
import { RateLimiter } from "./rate-limits.ts";
import { RequestLog } from "./request-log.ts";
import { Router } from "./router.ts";
import { registerRoutes } from "./routes.ts";
import { requestListener } from "./server.ts";
import { OktaOrg } from "./state.ts";
import { OAuthServer } from "./oauth.ts";
import type { EmulatorOptions, OktaEmulator } from "./types.ts";

export * from "./types.ts";

export async function startOktaEmulator(options: EmulatorOptions = {}): Promise<OktaEmulator> {
  const token = options.token ?? "test-token";
  const org = new OktaOrg(options.pipeline ?? "idx");
  const log = new RequestLog();
  const limiter = new RateLimiter(options.rateLimits);
  const faults = new FaultInjector();
  const router = new Router();
  const oauth = new OAuthServer();
  for (const app of options.serviceApps ?? []) oauth.register(app);
  registerRoutes(router, org, { defaultLimit: options.defaultLimit ?? 200, maxLimit: options.maxLimit ?? 200 });

  const server = http.createServer(requestListener({ baseUrl: () => org.baseUrl, token, router, limiter, faults, log, oauth }));
  // Connections stay open between requests as a real org's do. Node's fetch
  // (undici, in the stand-in provider) closes a connection whose Keep-Alive
  // timeout is under 2 s after each answer: at 1 s every request paid a new
  // TCP connection (measured: 500 connections for 500 sequential requests,
  // about a fifth of the stand-in's CPU in a first sync), which okta/okta's Go
  // client, ignoring that hint, never pays.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  org.baseUrl = `http://127.0.0.1:${port}`;

  org.listLag.set(options.lag?.lists);
  org.searchLag.set(options.lag?.search);
  for (const u of options.users ?? []) org.seedUser(u);

  // Helpers simulate console edits; a missing object is a test mistake, reported plainly.
  const helper = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof HttpError) throw new Error(`emulator: ${e.summary}`);
      throw e;
    }
  };

  return {
    url: org.baseUrl,
    port,
    token,
    state: org.state,
    requests: log.entries,
    defaultAccessPolicyId: org.defaultAccessPolicyId,
    requestCount: (filter) => log.count(filter),
    countsByRoute: () => log.byRoute(),
    countsByBucket: () => log.byBucket(),
    countsByFamily: () => log.byFamily(),
    resetRequestLog: () => log.reset(),
    registerServiceApp: (app) => oauth.register(app),
    revokeAccessTokens: () => oauth.revokeTokens(),
    issuedAccessTokens: () => [...oauth.issued],
    setRateLimit: (bucket, o) => limiter.set(bucket, o),
    setLatency: (ms) => limiter.setLatency(ms),
    failNext: (fault) => faults.add(fault),
    setListLag: (lag) => org.listLag.set(lag),
    setSearchLag: (lag) => org.searchLag.set(lag),
    settleLag: () => {
      org.listLag.settleAll();
      org.searchLag.settleAll();
    },
    seedUser: (input) => org.seedUser(input),
    createGroup: (name, description) => helper(() => org.createGroup(name, description ?? null)),
    createBookmarkApp: (label, url, status) => org.createBookmarkApp(label, url, status),
    renameApp: (id, label) =>
      helper(() => {
        const a = org.getApp(id);
        a.label = label;
        a.lastUpdated = new Date().toISOString();
      }),
    setAppUrl: (id, url) => helper(() => void (org.getApp(id).url = url)),
    setAppStatus: (id, s) => helper(() => void (org.getApp(id).status = s)),
    deleteApp: (id) => helper(() => org.deleteApp(id)),
    renameGroup: (id, name, description) =>
      helper(() => {
        const g = org.getGroup(id);
        g.profile.name = name;
        if (description !== undefined) g.profile.description = description;
      }),
    deleteGroup: (id) => helper(() => org.deleteGroup(id)),
    assignGroupToApp: (appId, groupId, priority) => helper(() => void org.assignGroupToApp(appId, groupId, priority)),
    unassignGroupFromApp: (appId, groupId) => helper(() => org.unassignGroupFromApp(appId, groupId)),
    addUserToGroup: (gid, uid) => helper(() => org.addMember(gid, org.getUser(uid).id)),
    removeUserFromGroup: (gid, uid) => helper(() => org.removeMember(gid, org.getUser(uid).id)),
    setUserStatus: (uid, s) => helper(() => org.setUserStatus(uid, s)),
    setUserLogin: (uid, login) => helper(() => org.setUserLogin(uid, login)),
    findUserByLogin: (login) => org.findUserByLogin(login),
    findAppsByLabel: (label) => [...org.state.apps.values()].filter((a) => a.label === label),
    findGroupByName: (name) => [...org.state.groups.values()].find((g) => g.profile.name === name),
    appLinksFor: (idOrLogin) => helper(() => org.appLinksFor(idOrLogin)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
