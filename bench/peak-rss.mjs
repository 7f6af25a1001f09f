// Preloaded into a benchmarked process: on exit, appends its peak resident
// memory (kB) to the file named by CERBY_OKTA_BENCH_RSS_FILE.
import { appendFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.CERBY_OKTA_BENCH_RSS_FILE;
  if (file) appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
