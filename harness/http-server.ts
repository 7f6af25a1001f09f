// A real HTTP server on 127.0.0.1 and a random port, for emulators and fakes of remote APIs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface RunningServer {
  readonly origin: string;
  /** Most requests in flight at once so far. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** `port` 0 (the default) picks a free one. */
export async function startServer(handler: Handler, port = 0): Promise<RunningServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) inFlight--;
      done = true;
    };
    res.on("close", finish);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends the headers and half the body, then destroys the socket: a connection dropped mid-page. */
export function dropMidBody(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.write(text.slice(0, Math.floor(text.length / 2)));
  setTimeout(() => res.socket?.destroy(), 5);
}

/**
 * Writes `chunk` again and again, as fast as the client reads, until the
 * client hangs up or `times` chunks are sent: a body that never ends.
 * `sent` is told every byte handed to the socket.
 */
export function streamChunks(res: ServerResponse, chunk: Buffer, headers: Record<string, string>, sent: (bytes: number) => void, times = Infinity): void {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  let left = times;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left--;
      sent(chunk.length);
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** Sends a body one byte at a time, every `everyMs`, forever: a server that trickles and never finishes. */
export function dripForever(res: ServerResponse, everyMs: number, sent: (bytes: number) => void): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.write("{");
  const timer = setInterval(() => {
    sent(1);
    res.write(" ");
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}
