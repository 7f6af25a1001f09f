// The shared HTTP client's own limits, against a real server on 127.0.0.1:
// what the snapshot and deprovision tests reach only through long runs.
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, scaledClock } from "../../src/http/http-client.ts";
import { redactor } from "../../src/http/redact.ts";
import { randomSecret } from "../fakes/cli.ts";
import { sendJson, startServer, type RunningServer } from "../fakes/http-server.ts";

let server: RunningServer | undefined;
afterEach(async () => server?.close());

function client(secret: string, policy: ConstructorParameters<typeof HttpClient>[0]["policy"] = {}): HttpClient {
  return new HttpClient({ system: "Test API", headers: { "x-api-key": secret }, secrets: [secret], clock: scaledClock(0.0001), policy });
}

describe("the HTTP client", () => {
  it("stops a run once the bodies it read add up to the per-run cap", async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { data: "x".repeat(600) }));
    const http = client(randomSecret(), { maxTotalBodyBytes: 1024 });
    const url = new URL(`${server.origin}/page`);
    await http.request({ method: "GET", url, what: "GET /page 1" });
    await expect(http.request({ method: "GET", url, what: "GET /page 2" })).rejects.toThrow(
      "Test API GET /page 2: read more than 1 KiB from Test API in this run, the most one run may read; giving up",
    );
  });

  it("refuses an answer whose Content-Length is over the cap without reading it", async () => {
    let requests = 0;
    server = await startServer((_req, res) => {
      requests++;
      sendJson(res, 200, { data: "x".repeat(5000) });
    });
    const http = client(randomSecret(), { maxBodyBytes: 1024 });
    await expect(http.request({ method: "GET", url: new URL(`${server.origin}/big`), what: "GET /big" })).rejects.toThrow(
      "Test API GET /big: the answer is larger than 1 KiB, the most one answer may hold",
    );
    expect(requests).toBe(1);
  });

  it("does not follow or retry a redirect, and does not print the key it carries", async () => {
    const secret = randomSecret("ck_");
    let requests = 0;
    server = await startServer((_req, res) => {
      requests++;
      res.writeHead(302, { location: `https://elsewhere.example/steal?key=${secret}` }).end();
    });
    const error = await client(secret)
      .request({ method: "GET", url: new URL(`${server.origin}/users`), what: "GET /users" })
      .catch((caught: Error) => caught);
    expect((error as Error).message).toBe(
      "Test API GET /users: HTTP 302 redirect to https://elsewhere.example/steal?key=***, not followed (the credentials would go along); check the URL",
    );
    expect(requests).toBe(1);
  });

  it("gives up on an unknown host at once instead of retrying it like a dropped connection", async () => {
    let calls = 0;
    const http = new HttpClient({
      system: "Okta",
      headers: {},
      clock: scaledClock(0.0001),
      unknownHostHint: "pass --okta-url",
      fetch: async () => {
        calls++;
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND acme.okta.com"), { code: "ENOTFOUND" }) });
      },
    });
    await expect(http.request({ method: "GET", url: new URL("https://acme.okta.com/api/v1/users/x"), what: "GET /api/v1/users/x" })).rejects.toThrow(
      "Okta GET /api/v1/users/x: the host acme.okta.com does not exist (DNS: ENOTFOUND); not retried; pass --okta-url",
    );
    expect(calls).toBe(1);
    expect(http.totalWaitMs).toBe(0);
  });

  it("still retries a refused connection", async () => {
    let calls = 0;
    const http = new HttpClient({
      system: "Okta",
      headers: {},
      clock: scaledClock(0.0001),
      policy: { maxRetries: 2 },
      fetch: async () => {
        calls++;
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
      },
    });
    await expect(http.request({ method: "GET", url: new URL("http://127.0.0.1:9/x"), what: "GET /x" })).rejects.toThrow("still failing after 3 attempts");
    expect(calls).toBe(3);
  });
});

describe("redaction", () => {
  it("masks a secret as sent, URL-encoded and JSON-escaped, and anything shaped like a credential, but not prose", () => {
    const secret = `${randomSecret("ck_")}+/"x`;
    const redact = redactor([secret]);
    expect(redact(`key ${secret} and ${encodeURIComponent(secret)} and ${JSON.stringify(secret)}`)).toBe('key *** and *** and "***"');
    expect(redact("Authorization: SSWS 00abcdEFGH1234567890xyz")).toBe("Authorization: SSWS ***");
    expect(redact('{"access_token":"eyJ0eXAiOiJKV1Qi.1234567890"}')).toBe('{"access_token":"***"}');
    expect(redact("HTTP 401 Unauthorized: Invalid token provided")).toBe("HTTP 401 Unauthorized: Invalid token provided");
  });
});
