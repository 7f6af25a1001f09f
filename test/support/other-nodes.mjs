// The smoke set on the other supported Node lines (22 and 24): the suite runs
// on the machine's Node (`npm test`); this runs, under each other line, what
// differs by Node and stays short (a few minutes a line on 2 cores): the rules
// (pure code), the project resolution, the CLI's own process (the Node check
// and its warning, --help, exit codes), cdktf's synth, the Terraform version
// check, and one end-to-end sync (real Terraform; the stand-in provider runs
// on that Node too). The Node binaries come from the npm registry's `node`
// package (npm exec), nothing else.
import { spawnSync } from "node:child_process";

const LINES = ["22", "24"];
/** Each a vitest run: the fast files, then the first sync of the end-to-end file (plan, apply, a plan that finds nothing). */
const SMOKE = [
  ["test/domain", "test/config", "test/cli/cli.test.ts", "test/stack/synthesizer.test.ts", "test/stack/workspace-stack.test.ts", "test/terraform/version.test.ts"],
  ["test/sync/terraform-sync.test.ts", "-t", "plans the first sync|applies the saved plan|finds nothing to do"],
];

const running = process.versions.node.split(".")[0];
// `node test/support/other-nodes.mjs 20 22 24` runs the smoke set on those lines (the running one as it is),
// for docs/benchmarks.md; without arguments, on the other supported lines: `npm test` ran everything on this one.
const lines = process.argv.length > 2 ? process.argv.slice(2) : LINES.filter((line) => line !== running);
let failed = false;
const timings = [];
for (const line of lines) {
  const started = performance.now();
  let status = 0;
  for (const files of SMOKE) {
    process.stderr.write(`\n== Node ${line}: ${files.join(" ")}\n`);
    const vitest = ["node_modules/vitest/vitest.mjs", "run", ...files];
    const result =
      line === running
        ? spawnSync(process.execPath, vitest, { stdio: "inherit" })
        : spawnSync("npm", ["exec", "--yes", `--package=node@${line}`, "--", "node", ...vitest], { stdio: "inherit" });
    if (result.status !== 0) {
      process.stderr.write(`== Node ${line}: the smoke set failed (exit ${result.status ?? result.signal})\n`);
      status = 1;
    }
  }
  timings.push(`Node ${line}: ${((performance.now() - started) / 1000).toFixed(1)} s, ${status === 0 ? "passed" : "FAILED"}`);
  if (status !== 0) failed = true;
}
process.stderr.write(`\n== smoke set: ${timings.join("; ")}\n`);
process.exit(failed ? 1 : 0);
