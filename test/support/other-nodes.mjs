// The smoke set on the other supported Node lines (22 and 24): the suite runs
// on the machine's Node (`npm test`); this runs the fast, Terraform-free test
// folders, plus one end-to-end sync, under each other line. The Node binaries
// come from the npm registry's `node` package (npm exec), nothing else.
import { spawnSync } from "node:child_process";

const LINES = ["22", "24"];
const SMOKE = ["test/domain", "test/cli", "test/workspace", "test/config", "test/sync/terraform-sync.test.ts"];

const running = process.versions.node.split(".")[0];
let failed = false;
for (const line of LINES) {
  if (line === running) continue; // `npm test` ran everything on it
  process.stderr.write(`\n== Node ${line}: ${SMOKE.join(" ")}\n`);
  const result = spawnSync("npm", ["exec", "--yes", `--package=node@${line}`, "--", "node", "node_modules/vitest/vitest.mjs", "run", ...SMOKE], { stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write(`== Node ${line}: the smoke set failed (exit ${result.status ?? result.signal})\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
