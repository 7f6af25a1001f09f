// The sandbox's front server passes Okta API requests on to the emulator.
// Headers about the connection itself (RFC 9110 section 7.6.1: Connection,
// Keep-Alive, Transfer-Encoding, ...) belong to each hop and are not passed
// on. Passing the emulator's `Keep-Alive: timeout=60` on made clients keep
// connections that the front closes after its own idle timeout: under load,
// the stand-in provider's next request went out on a connection already
// closed ("fetch failed", an apply failed half-way).
import http from "node:http";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

/** `headers` without the hop-by-hop ones, nor any the Connection header names. */
export function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}

/** Passes `request` on to the emulator at `upstream`, answering with its answer; `link` URLs are rewritten to the front's own. */
export function proxyRequest(request: http.IncomingMessage, response: http.ServerResponse, upstream: { url: string; port: number }): void {
  const forwarded = http.request(
    { host: "127.0.0.1", port: upstream.port, method: request.method, path: request.url, headers: endToEndHeaders(request.headers) },
    (answer) => {
      const headers = endToEndHeaders(answer.headers);
      const front = `http://${request.headers.host ?? ""}`;
      if (headers.link) {
        const links = Array.isArray(headers.link) ? headers.link : [String(headers.link)];
        headers.link = links.map((link) => link.split(upstream.url).join(front));
      }
      response.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(response);
    },
  );
  forwarded.on("error", (error) => {
    if (!response.headersSent) response.writeHead(502, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ errorCode: "E0000009", errorSummary: `sandbox proxy: ${error.message}` }));
  });
  request.pipe(forwarded);
}
