// Preloaded into a benchmarked process: on exit, appends its peak resident
// memory (kB) to the file named by CERBY_OKTA_BENCH_RSS_FILE, and the CPU time
// it used (user and system, ms; not its child processes') to the file named by
// CERBY_OKTA_BENCH_CPU_FILE.
import { appendFileSync } from "node:fs";

process.on("exit", () => {
  const usage = process.resourceUsage();
  const file = process.env.CERBY_OKTA_BENCH_RSS_FILE;
  if (file) appendFileSync(file, `${usage.maxRSS}\n`);
  const cpuFile = process.env.CERBY_OKTA_BENCH_CPU_FILE;
  if (cpuFile) appendFileSync(cpuFile, `${(usage.userCPUTime + usage.systemCPUTime) / 1000}\n`);
});
