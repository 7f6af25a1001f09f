/**
 * The provider host: one long-lived Node process that serves stand-in
 * provider processes for the test run, so that a Terraform command does not
 * pay a Node start-up (about 0.15 s of CPU, thousands of times in a run) that
 * the real provider, a Go binary, does not.
 *
 * Each provider process is still a process of its own to Terraform: the
 * mirror's wrapper (harness/terraform-env.ts) connects here over TCP on
 * 127.0.0.1, sends its environment (`env -0`, ended by an empty entry), prints
 * the handshake line it gets back, then becomes `cat`, copying the process's
 * log to its stderr until the connection ends. Its environment, handlers,
 * provider configuration and gRPC server are its own (serve.ts); when the
 * wrapper is killed, the connection closes and its requests stop, as a killed
 * provider's do. Terraform's Shutdown ends the connection, and the wrapper exits.
 *
 * Prints the port on stdout; exits when stdin ends (the test run is over).
 */
import { createServer, type Socket } from "node:net";
import { PluginRefusal, serveProviderProcess, type Env } from "./serve.ts";

/** An environment is a few KiB; more is not a wrapper talking. */
const MAX_ENV_BYTES = 1024 * 1024;

function parseEnv(bytes: Buffer): Env {
  const env: Env = Object.create(null);
  for (const entry of bytes.toString("utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Reads the wrapper's environment: everything up to the first empty entry ("\0\0"). */
function readEnv(socket: Socket): Promise<Env> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\0\0");
      if (end >= 0) {
        socket.off("data", onData);
        resolve(parseEnv(received.subarray(0, end)));
      } else if (received.length > MAX_ENV_BYTES) {
        socket.off("data", onData);
        reject(new Error(`the wrapper sent over ${MAX_ENV_BYTES} bytes without ending its environment`));
      }
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error("the wrapper went away before sending its environment")));
  });
}

async function serveConnection(socket: Socket): Promise<void> {
  const ended = new AbortController();
  let stop = () => {};
  socket.once("close", () => {
    ended.abort(new Error("the provider process has ended"));
    stop();
  });
  socket.on("error", () => socket.destroy());
  let env: Env;
  try {
    env = await readEnv(socket);
  } catch {
    socket.destroy();
    return;
  }
  try {
    const served = await serveProviderProcess({
      env,
      writeLog: (line) => void (socket.writable && socket.write(line)),
      ended: ended.signal,
      onShutdown: () => socket.end(),
    });
    stop = served.stop;
    if (socket.destroyed) return stop();
    socket.write(`${served.handshake}\n`);
  } catch (e) {
    // The wrapper prints this on its stderr and exits 1, as the plugin would.
    socket.end(e instanceof PluginRefusal ? e.message : `${(e as Error).message}\n`);
  }
}

const server = createServer((socket) => void serveConnection(socket));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the provider host has no TCP port");
  process.stdout.write(`${address.port}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
