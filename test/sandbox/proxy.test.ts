// The sandbox front's proxy: what reaches the client says what the front
// does with the connection, never what the emulator behind it does.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { endToEndHeaders, proxyRequest } from "../../sandbox/proxy.ts";

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** One GET through a keep-alive agent: the answer's status, headers and body. */
function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const agent = new http.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          agent.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      })
      .on("error", reject);
  });
}

describe("the sandbox front's proxy", () => {
  it("answers with the emulator's answer, but the front's own Keep-Alive, and asks without the client's connection headers", async () => {
    let seen: http.IncomingHttpHeaders = {};
    const upstream = http.createServer((req, res) => {
      seen = req.headers;
      res.writeHead(200, { "Content-Type": "application/json", Link: `<http://127.0.0.1:${upstreamPort}/api/v1/apps?after=x>; rel="next"`, "X-Extra": "kept" });
      res.end("[]");
    });
    upstream.keepAliveTimeout = 60_000;
    const upstreamPort = await listen(upstream);
    const front = http.createServer((req, res) => proxyRequest(req, res, { url: `http://127.0.0.1:${upstreamPort}`, port: upstreamPort }));
    front.keepAliveTimeout = 3_000;
    const frontPort = await listen(front);

    const answer = await get(frontPort, "/api/v1/apps", { "X-Hop": "dropped", Connection: "keep-alive, X-Hop", Authorization: "SSWS t" });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("[]");
    expect(answer.headers["x-extra"]).toBe("kept");
    expect(answer.headers.link).toBe(`<http://127.0.0.1:${frontPort}/api/v1/apps?after=x>; rel="next"`);
    // The emulator keeps connections 60 s; the front 3 s, and says so.
    expect(answer.headers["keep-alive"]).toBe("timeout=3");
    expect(seen.authorization).toBe("SSWS t");
    expect(seen["x-hop"]).toBeUndefined();
  });

  it("drops hop-by-hop headers and those the Connection header names", () => {
    expect(
      endToEndHeaders({ connection: "close, X-Private", "keep-alive": "timeout=60", "transfer-encoding": "chunked", "x-private": "1", "content-type": "application/json", link: "<a>" }),
    ).toEqual({ "content-type": "application/json", link: "<a>" });
  });
});
