// `npm run bench:startup [-- <checkout>...]`: the CLI's start-up time, as a
// user meets it: `node bin/cerby-okta.js --version`, and `validate` on the
// bundled example workspaces (workspaces/), each a fresh process. With other
// checkouts of the repository as arguments (say a git worktree of an older
// commit, after `npm install` there), their CLIs are measured too,
// interleaved run by run with this one, so that the load of a shared machine
// falls on all of them alike. Prints a Markdown table.
//
// Variables: BENCH_RUNS (default 10), after one unmeasured warm-up run of
// each command in each checkout.
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../harness/repo-root.ts";

const runs = Number(process.env.BENCH_RUNS ?? 10);
const checkouts = [REPO_ROOT, ...process.argv.slice(2).map((dir) => path.resolve(dir))];
const commands = [["--version"], ["validate"]];

function label(checkout: string): string {
  try {
    const commit = execFileSync("git", ["-C", checkout, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["-C", checkout, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return `${checkout} (${commit}${dirty ? ", modified" : ""})`;
  } catch {
    return checkout;
  }
}

/** Wall time of one `node bin/cerby-okta.js <args>` in `checkout`, in ms. */
function measure(checkout: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [path.join(checkout, "bin", "cerby-okta.js"), ...args], { cwd: checkout, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`cerby-okta ${args.join(" ")} in ${checkout} exited ${result.status}: ${result.stderr}`);
  return wallMs;
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(", ");
const loadBefore = load();
const times = new Map<string, number[]>();
const key = (checkout: string, args: string[]) => `${checkout}\0${args.join(" ")}`;
for (const checkout of checkouts) for (const args of commands) measure(checkout, args); // warm-up: caches, the page cache
for (let run = 0; run < runs; run++) {
  for (const args of commands) {
    for (const checkout of checkouts) {
      const list = times.get(key(checkout, args)) ?? [];
      list.push(measure(checkout, args));
      times.set(key(checkout, args), list);
    }
  }
}
const loadAfter = load();

const rows: string[] = [];
for (const checkout of checkouts) {
  for (const args of commands) {
    const sorted = [...times.get(key(checkout, args))!].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    rows.push(`| ${label(checkout)} | \`${args.join(" ")}\` | ${median.toFixed(0)} ms | ${sorted[0]!.toFixed(0)} ms | ${sorted.at(-1)!.toFixed(0)} ms |`);
  }
}
process.stdout.write(
  `Node ${process.version}, ${cpus().length} cores; ${runs} runs of each, interleaved, each a fresh process, after one warm-up run; ` +
    `load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after.\n\n` +
    "| checkout | command | median | min | max |\n" +
    "| --- | --- | ---: | ---: | ---: |\n" +
    `${rows.join("\n")}\n`,
);
