/**
 * The provider host (harness/provider/host.ts) serves provider processes that
 * must behave as processes of their own: refused outside Terraform as the
 * plugin is, gone with their wrapper, silent once gone.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../harness/http-server.ts";
import { OktaClient } from "../../harness/provider/okta-client.ts";
import { startProviderHosts, PROVIDER_HOSTS_ENV, type ProviderHosts } from "../../harness/provider-hosts.ts";
import { installStandInProvider } from "../../harness/terraform-env.ts";

const MAGIC_COOKIE = { TF_PLUGIN_MAGIC_COOKIE: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2" };

let hosts: ProviderHosts;
let installDir: string;
let wrapper: string;

beforeAll(async () => {
  hosts = await startProviderHosts(1);
  installDir = mkdtempSync(path.join(tmpdir(), "provider-host-test-"));
  wrapper = (await installStandInProvider(installDir)).executables["6.12.0"]!;
});

afterAll(() => {
  hosts?.stop();
  if (installDir) rmSync(installDir, { recursive: true, force: true });
});

/** Connects as the wrapper does: sends `env` (NUL-separated, ended by an empty entry), reads the first line. */
async function openProcess(env: Record<string, string>): Promise<{ socket: Socket; firstLine: string }> {
  const socket = connect(Number(hosts.ports), "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.write(`${Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join("")}\0`);
  let received = "";
  const firstLine = await new Promise<string>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes("\n")) resolve(received.slice(0, received.indexOf("\n")));
    });
    socket.once("close", () => reject(new Error(`closed after ${JSON.stringify(received)}`)));
  });
  return { socket, firstLine };
}

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return check();
}

describe("the provider host", () => {
  it("serves a provider process on a socket of its own, and stops it when the wrapper's connection closes", async () => {
    const { socket, firstLine } = await openProcess({ ...MAGIC_COOKIE, OKTA_STANDIN_VERSION: "6.12.0" });
    const handshake = firstLine.split("|");
    expect(handshake.slice(0, 3)).toEqual(["1", "6", "unix"]);
    expect(handshake[4]).toBe("grpc");
    const sock = handshake[3]!;
    expect(existsSync(sock)).toBe(true);
    socket.destroy();
    expect(await eventually(() => !existsSync(sock))).toBe(true);
  });

  it("refuses a wrapper run outside Terraform with the plugin's own words, as the provider process does", async () => {
    const hosted = await execa(wrapper, [], { env: { [PROVIDER_HOSTS_ENV]: hosts.ports }, reject: false, stdin: "ignore" });
    const alone = await execa(wrapper, [], { env: { [PROVIDER_HOSTS_ENV]: "" }, reject: false, stdin: "ignore" });
    expect(hosted.exitCode).toBe(1);
    expect(hosted.stdout).toBe("");
    expect(hosted.stderr).toContain("This binary is a plugin. These are not meant to be executed directly.");
    expect(hosted.stderr).toBe(alone.stderr);
    expect(alone.exitCode).toBe(1);
  });

  it("refuses a plugin protocol other than 6", async () => {
    const { firstLine } = await openProcess({ ...MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: "5" }).catch((e: Error) => ({ firstLine: e.message }));
    expect(firstLine).toContain("unsupported plugin protocol versions: 5 (need 6)");
  });

  it("starts the provider in the wrapper itself when no host answers, and says so", async () => {
    const unreachable = await execa(wrapper, [], { env: { [PROVIDER_HOSTS_ENV]: "1" }, reject: false, stdin: "ignore" });
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toContain("the provider host on port 1 did not answer: starting the stand-in provider here");
    expect(unreachable.stderr).toContain("This binary is a plugin.");
  });
});

describe("a provider process that has ended", () => {
  it("abandons the request in flight and sends no other, as a killed process would", async () => {
    let requests = 0;
    const okta = await startServer(() => {
      requests++; // never answered
    });
    try {
      const ended = new AbortController();
      const client = new OktaClient({ baseUrl: okta.origin, credentials: { kind: "ssws", token: "t" }, retry: { minWaitSeconds: 1, maxWaitSeconds: 1, maxRetries: 5 }, governor: null, requestTimeoutSeconds: 0, ended: ended.signal });
      const inFlight = client.call("GET", "/api/v1/users/me");
      expect(await eventually(() => requests === 1)).toBe(true);
      ended.abort(new Error("the provider process has ended"));
      await expect(inFlight).rejects.toThrow();
      await expect(client.call("GET", "/api/v1/groups")).rejects.toThrow("the provider process has ended");
      expect(requests).toBe(1);
    } finally {
      await okta.close();
    }
  });
});

describe("the provider process and signals, served by a host or started alone", () => {
  for (const served of ["by a host", "alone"] as const) {
    it(`ignores SIGINT, as go-plugin plugins do, and ends on SIGTERM (${served})`, async () => {
      const env = { ...MAGIC_COOKIE, [PROVIDER_HOSTS_ENV]: served === "by a host" ? hosts.ports : "", PATH: process.env.PATH ?? "" };
      const provider = execa(wrapper, [], { env, extendEnv: false, reject: false, stdin: "ignore", buffer: false });
      const handshake = await new Promise<string>((resolve) => provider.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
      const sock = handshake.split("|")[3]!;
      expect(existsSync(sock)).toBe(true);
      provider.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(provider.exitCode).toBeNull();
      expect(existsSync(sock)).toBe(true);
      provider.kill("SIGTERM");
      await provider;
      expect(await eventually(() => !existsSync(sock))).toBe(true);
    });
  }
});
