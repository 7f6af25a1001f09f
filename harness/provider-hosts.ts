/**
 * Provider hosts for a test run (harness/provider/host.ts): long-lived Node
 * processes that serve the stand-in provider processes Terraform starts, so
 * that a Terraform command costs no Node start-up. The mirror's wrapper uses
 * them when PROVIDER_HOSTS_ENV names their ports (terraform-env.ts); each
 * wrapper picks one by its process ID, which spreads the work over the hosts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repo-root.ts";

export const PROVIDER_HOSTS_ENV = "OKTA_STANDIN_HOSTS";

const HOST_MAIN = join(REPO_ROOT, "dist", "harness", "provider", "host.js");

export interface ProviderHosts {
  /** The value of PROVIDER_HOSTS_ENV: the hosts' ports, space-separated. */
  ports: string;
  stop(): void;
}

function startHost(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // stdin stays open: a host exits when it ends, so none outlives the run that started it.
    const child = spawn(process.execPath, [HOST_MAIN], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.match(/^(\d+)\n/);
      if (line) resolve({ child, port: Number(line[1]) });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the provider host (${HOST_MAIN}) exited with ${code} before listening`)));
  });
}

/** Starts `count` hosts from the compiled provider (`npm run build`). */
export async function startProviderHosts(count: number): Promise<ProviderHosts> {
  if (!existsSync(HOST_MAIN)) throw new Error(`the provider host is not built (${HOST_MAIN} is missing): run \`npm run build\``);
  const hosts = await Promise.all(Array.from({ length: count }, () => startHost()));
  return {
    ports: hosts.map((host) => host.port).join(" "),
    stop() {
      for (const { child } of hosts) {
        child.stdin!.end();
        child.kill();
      }
    },
  };
}
