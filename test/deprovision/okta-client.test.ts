import { afterEach, describe, expect, it } from "vitest";
import { scaledClock } from "../../src/http/http-client.ts";
import { OktaClient, oktaOrgUrl } from "../../src/okta-api/client.ts";
import { randomSecret } from "../fakes/cli.ts";
import { FakeOktaApi } from "../fakes/okta-api.ts";
import { sendJson, startServer, type RunningServer } from "../fakes/http-server.ts";

let okta: FakeOktaApi | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await okta?.close();
  await server?.close();
  server = undefined;
});

/** An Okta listing whose `Link` header is `next(page, origin)`; every page holds one new object unless `same`. */
async function listing(next: (page: number, origin: string) => string | undefined, same = false): Promise<{ origin: string; pages: number[] }> {
  const pages: number[] = [];
  server = await startServer((_req, res, url) => {
    const page = Number(url.searchParams.get("after") ?? "1");
    pages.push(page);
    const link = next(page, server!.origin);
    sendJson(res, 200, [{ id: same ? "0oa-1" : `0oa-${page}`, label: `App ${page}` }], link ? { link } : {});
  });
  return { origin: server.origin, pages };
}

describe("the Okta client", () => {
  it("finds users by ID, by login, and by login search when the login holds a slash", async () => {
    const token = randomSecret("00T");
    okta = await new FakeOktaApi(
      [
        { id: "00u1", login: "alice@acme.example", status: "ACTIVE" },
        { id: "00u2", login: "acme/bob@acme.example", status: "SUSPENDED" },
      ],
      token,
    ).start();
    const client = new OktaClient({ baseUrl: okta.url, token, clock: scaledClock(0.0001) });
    expect(await client.getUser("00u1")).toEqual({ id: "00u1", login: "alice@acme.example", status: "ACTIVE" });
    expect(await client.getUser("alice@acme.example")).toMatchObject({ id: "00u1" });
    expect(await client.getUser("acme/bob@acme.example")).toEqual({ id: "00u2", login: "acme/bob@acme.example", status: "SUSPENDED" });
    expect(await client.getUser("nobody@acme.example")).toBeUndefined();
    expect(await client.getUser("acme/nobody@acme.example")).toBeUndefined();
    expect(okta.requests.every((request) => request.tokenOk)).toBe(true);
  });

  it("lists every object across Link rel=next pages", async () => {
    const { origin, pages } = await listing((page, at) =>
      page < 3 ? `<${at}/api/v1/apps?after=${page}>; rel="self", <${at}/api/v1/apps?after=${page + 1}&limit=200>; rel="next"` : undefined,
    );
    const client = new OktaClient({ baseUrl: origin, token: randomSecret("00T"), clock: scaledClock(0.0001) });
    expect(await client.listAll("api/v1/apps", { limit: "200" })).toEqual([1, 2, 3].map((n) => ({ id: `0oa-${n}`, label: `App ${n}` })));
    expect(pages).toEqual([1, 2, 3]);
  });

  it("stops a listing whose next links never end, at the page limit", async () => {
    const { origin, pages } = await listing((page, at) => `<${at}/api/v1/apps?after=${page + 1}>; rel="next"`);
    const client = new OktaClient({ baseUrl: origin, token: randomSecret("00T"), clock: scaledClock(0.0001), maxPages: 25 });
    await expect(client.listAll("api/v1/apps")).rejects.toThrow(
      "Okta GET /api/v1/apps: page 25 still links to a next page; stopped after 25 pages: Okta's paging does not seem to end",
    );
    expect(pages).toHaveLength(25);
  });

  it("detects a listing going round in circles, by link or by content", async () => {
    const back = await listing((page, at) => (page === 2 ? `<${at}/api/v1/apps>; rel="next"` : `<${at}/api/v1/apps?after=${page + 1}>; rel="next"`));
    const client = new OktaClient({ baseUrl: back.origin, token: randomSecret("00T"), clock: scaledClock(0.0001) });
    await expect(client.listAll("api/v1/apps")).rejects.toThrow("Okta GET /api/v1/apps page 2: the next link points back to a page already read");
    await server!.close();
    const same = await listing((page, at) => `<${at}/api/v1/apps?after=${page + 1}>; rel="next"`, true);
    const again = new OktaClient({ baseUrl: same.origin, token: randomSecret("00T"), clock: scaledClock(0.0001) });
    await expect(again.listAll("api/v1/apps")).rejects.toThrow("Okta GET /api/v1/apps page 2: the page repeats only objects already read");
    expect(same.pages).toEqual([1, 2]);
  });

  it("refuses a next link to another origin, which would carry the token away", async () => {
    const { origin, pages } = await listing(() => `<https://elsewhere.example/api/v1/apps?after=2>; rel="next"`);
    const client = new OktaClient({ baseUrl: origin, token: randomSecret("00T"), clock: scaledClock(0.0001) });
    await expect(client.listAll("api/v1/apps")).rejects.toThrow(`the next link leaves ${origin}; refusing to send the token there`);
    expect(pages).toEqual([1]);
  });

  describe("polling the System Log", () => {
    const event = (n: number) => ({ uuid: `ev-${n}`, published: "2026-03-01T00:00:00.000Z", eventType: "user.lifecycle.suspend", target: [{ id: `00u${n}`, type: "User", alternateId: `u${n}@x.example` }] });
    /** A log answering `body(n)` on page n, with the Link header `link(n, origin)`. */
    async function log(body: (n: number) => unknown, link: (n: number, origin: string) => string | undefined): Promise<{ client: OktaClient; start: string; pages: number[] }> {
      const pages: number[] = [];
      server = await startServer((_req, res, url) => {
        const n = Number(url.searchParams.get("after") ?? "1");
        pages.push(n);
        const header = link(n, server!.origin);
        sendJson(res, 200, body(n), header ? { link: header } : {});
      });
      const client = new OktaClient({ baseUrl: server.origin, token: randomSecret("00T"), clock: scaledClock(0.0001), maxPages: 20 });
      return { client, start: `${server.origin}/api/v1/logs?limit=1`, pages };
    }

    it("refuses a full page that links to itself, and stops endless full pages at the page limit", async () => {
      const self = await log((n) => [event(n)], (_n, at) => `<${at}/api/v1/logs?limit=1>; rel="next"`);
      await expect(self.client.pollSystemLog(self.start)).rejects.toThrow("Okta GET /api/v1/logs page 1: a full page links to itself");
      await server!.close();
      const endless = await log((n) => [event(n)], (n, at) => `<${at}/api/v1/logs?limit=1&after=${n + 1}>; rel="next"`);
      await expect(endless.client.pollSystemLog(endless.start)).rejects.toThrow("Okta GET /api/v1/logs: 20 full pages in one poll; stopped there");
      expect(endless.pages).toHaveLength(20);
    });

    it("refuses a page without a next link, a next link to another origin, and an event without its fields", async () => {
      const none = await log(() => [], () => undefined);
      await expect(none.client.pollSystemLog(none.start)).rejects.toThrow('came back without a rel="next" link to poll from');
      await server!.close();
      const away = await log((n) => [event(n)], () => `<https://elsewhere.example/api/v1/logs?after=2>; rel="next"`);
      await expect(away.client.pollSystemLog(away.start)).rejects.toThrow("refusing to send the token there");
      await expect(away.client.pollSystemLog("https://elsewhere.example/api/v1/logs")).rejects.toThrow("the poll cursor https://elsewhere.example is not");
      await server!.close();
      const broken = await log(() => [{ eventType: "user.lifecycle.suspend" }], (_n, at) => `<${at}/api/v1/logs?limit=1&after=2>; rel="next"`);
      await expect(broken.client.pollSystemLog(broken.start)).rejects.toThrow("Okta GET /api/v1/logs page 1, event 1: the event has no uuid, published time or eventType");
    });
  });

  it("builds the org URL from the workspace's okta block", () => {
    expect(oktaOrgUrl({ orgName: "acme", baseUrl: "oktapreview.com" })).toBe("https://acme.oktapreview.com/");
  });
});
