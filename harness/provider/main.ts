/**
 * Stand-in for the okta/okta Terraform provider (registry.terraform.io/okta/okta),
 * for tests: serves go-plugin + tfplugin6 over gRPC and talks to the Okta
 * Management API (in tests, the emulator at OKTA_EMULATOR_URL). This is the
 * provider as a process of its own, started by the mirror's wrapper for one
 * Terraform command (serve.ts has the server; host.ts serves many at once).
 *
 * Nothing but the go-plugin handshake line may ever be written to stdout.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { PluginRefusal, serveProviderProcess } from "./serve.ts";

/**
 * Milliseconds from this process's start (the mirror's wrapper is exec'd, so
 * the same PID: from the shell's fork) to the handshake line: what a real
 * provider, a Go binary, would spend in milliseconds. Read from /proc (10 ms
 * ticks); elsewhere from Node's own start.
 */
function startupMs(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptimeSeconds = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    const ms = (uptimeSeconds - startTicks / 100) * 1000;
    if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  } catch {
    /* not Linux */
  }
  return Math.round(process.uptime() * 1000);
}

/** OKTA_STANDIN_STARTUP_LOG (benchmarks): one line per launch, its start-up in milliseconds. */
function recordStartup(): void {
  const file = process.env.OKTA_STANDIN_STARTUP_LOG;
  if (file) appendFileSync(file, `${startupMs()}\n`);
}

async function main() {
  let served;
  try {
    served = await serveProviderProcess({ env: process.env, writeLog: (line) => process.stderr.write(line), onShutdown: () => process.exit(0) });
  } catch (e) {
    process.stderr.write(e instanceof PluginRefusal ? e.message : `${(e as Error).message}\n`);
    process.exit(1);
  }
  const { handshake, stop } = served;
  process.on("SIGINT", () => {
    /* Terraform handles interrupts; go-plugin plugins ignore SIGINT. */
  });
  process.on("SIGTERM", () => {
    stop();
    process.exit(0);
  });
  process.stdout.write(`${handshake}\n`);
  recordStartup();
}

void main();
