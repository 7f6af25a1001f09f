// `npm run bench`: wall time and peak memory of `cerby-okta synth` and
// `cerby-okta preview --json` on generated JSON workspaces, each command run
// as a fresh process, as a user would run it. Prints a Markdown table. Then
// `synth` against its floor (bench/synth-floor.mjs: a process that reads the
// same input and writes the same files, doing no work), measured in the same
// run, interleaved, one stack and sharded, cold (no output folder) and warm
// (the output of the run before, unchanged input). Variables: BENCH_SIZES,
// BENCH_RUNS, BENCH_YAML_UP_TO (the first table); BENCH_FLOOR_SIZES (10000),
// BENCH_FLOOR_SHARDS (1,128), BENCH_FLOOR_RUNS (5); BENCH_CLI (another
// checkout's bin/cerby-okta.js).
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT as repo } from "../harness/repo-root.ts";
import { generateWorkspace } from "./generate.ts";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").filter(Boolean).map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const yamlUpTo = Number(process.env.BENCH_YAML_UP_TO ?? 10000);
const floorSizes = (process.env.BENCH_FLOOR_SIZES ?? "10000").split(",").filter(Boolean).map(Number);
const floorShards = (process.env.BENCH_FLOOR_SHARDS ?? "1,128").split(",").map(Number);
const floorRuns = Number(process.env.BENCH_FLOOR_RUNS ?? 5);
/** The CLI measured: this checkout's, or another's (`BENCH_CLI=<checkout>/bin/cerby-okta.js`, to measure code before a change the same way). */
const cli = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(repo, "bin", "cerby-okta.js");

interface Measurement {
  readonly wallMs: number;
  readonly peakRssMb: number;
  /** User and system CPU time of the process itself: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
}

async function measure(args: string[], cwd: string, script = cli): Promise<Measurement> {
  const rssFile = path.join(cwd, `rss-${Date.now()}-${Math.random()}`);
  const started = performance.now();
  // The Node this benchmark runs on (npm exec --package=node@22 -- node ...), not whichever is first on PATH.
  await execa(process.execPath, ["--import", path.join(repo, "bench", "peak-rss.mjs"), script, ...args], {
    cwd,
    env: { CERBY_OKTA_BENCH_RSS_FILE: rssFile, CERBY_OKTA_BENCH_CPU_FILE: `${rssFile}.cpu` },
    stdout: "ignore",
  });
  const wallMs = performance.now() - started;
  const peakKb = Number((await readFile(rssFile, "utf8")).trim());
  const cpuMs = Number((await readFile(`${rssFile}.cpu`, "utf8")).trim());
  await Promise.all([rm(rssFile), rm(`${rssFile}.cpu`)]);
  return { wallMs, peakRssMb: peakKb / 1024, cpuMs };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median wall time, highest peak memory over `runs` runs. */
async function repeat(args: string[], cwd: string): Promise<Measurement> {
  const results: Measurement[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(args, cwd));
  const walls = results.map((result) => result.wallMs).sort((a, b) => a - b);
  return { wallMs: walls[Math.floor(walls.length / 2)]!, peakRssMb: Math.max(...results.map((result) => result.peakRssMb)), cpuMs: median(results.map((result) => result.cpuMs)) };
}

/**
 * `synth` of one generated workspace in `shards` stacks, cold and warm,
 * against the floor, run after run in turn so that the machine's load falls on
 * all three alike. Returns a table row.
 */
async function againstFloor(size: number, shards: number, root: string): Promise<string> {
  const workspaces = path.join(root, "workspaces");
  await mkdir(path.join(workspaces, "bench"), { recursive: true });
  await writeFile(path.join(workspaces, "bench", "workspace.json"), JSON.stringify(generateWorkspace({ accounts: size })));
  // `shards:` pins the count: a never-synced workspace of this size would otherwise be sharded as advised.
  await writeFile(path.join(root, "cerby-okta.yaml"), `shards:\n  ws-bench: ${shards}\n`);
  const synth = ["synth", "--out", "cdktf.out", "--no-warnings"];
  await measure(synth, root); // the reference output the floor writes, and a warm-up
  await rename(path.join(root, "cdktf.out"), path.join(root, "reference"));
  const floor = [path.join(root, "workspaces"), path.join(root, "reference"), path.join(root, "floor.out")];
  const runs = { floor: [] as Measurement[], cold: [] as Measurement[], warm: [] as Measurement[] };
  for (let run = 0; run < floorRuns; run++) {
    await rm(path.join(root, "floor.out"), { recursive: true, force: true });
    runs.floor.push(await measure(floor, root, path.join(repo, "bench", "synth-floor.mjs")));
    await rm(path.join(root, "cdktf.out"), { recursive: true, force: true });
    runs.cold.push(await measure(synth, root));
    runs.warm.push(await measure(synth, root));
  }
  const wall = (kind: keyof typeof runs) => median(runs[kind].map((result) => result.wallMs));
  const cpu = (kind: keyof typeof runs) => median(runs[kind].map((result) => result.cpuMs));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const against = (kind: "cold" | "warm") => `${seconds(wall(kind))} | ${(wall(kind) / wall("floor")).toFixed(2)}x | ${seconds(cpu(kind))} | ${(cpu(kind) / cpu("floor")).toFixed(2)}x`;
  return `| ${size.toLocaleString("en-US")} | ${shards} | ${seconds(wall("floor"))} (${seconds(cpu("floor"))} CPU) | ${against("cold")} | ${against("warm")} |`;
}

const rows: string[] = [];
const floorRows: string[] = [];
const work = await mkdtemp(path.join(tmpdir(), "cerby-okta-bench-"));
try {
  for (const size of floorSizes) {
    for (const shards of floorShards) {
      process.stderr.write(`${size} accounts in ${shards} stack(s): synth against its floor...\n`);
      floorRows.push(await againstFloor(size, shards, path.join(work, `floor-${size}-${shards}`)));
    }
  }
  for (const size of sizes) {
    const workspace = generateWorkspace({ accounts: size });
    for (const format of ["json", "yaml"] as const) {
      if (format === "yaml" && size > yamlUpTo) continue;
      const root = path.join(work, `${format}-${size}`);
      await mkdir(path.join(root, "workspaces", "bench"), { recursive: true });
      const file = path.join(root, "workspaces", "bench", `workspace.${format}`);
      await writeFile(file, format === "json" ? JSON.stringify(workspace) : stringify(workspace));
      const megabytes = (await stat(file)).size / 1024 / 1024;
      process.stderr.write(`${size} accounts, ${format} (${megabytes.toFixed(1)} MB)...\n`);
      const synth = await repeat(["synth", "--out", "cdktf.out"], root);
      const preview = await repeat(["preview", "--json"], root);
      rows.push(
        `| ${size.toLocaleString("en-US")} | ${format} | ${megabytes.toFixed(1)} | ${(synth.wallMs / 1000).toFixed(2)} s | ${synth.peakRssMb.toFixed(0)} MB | ${(preview.wallMs / 1000).toFixed(2)} s | ${preview.peakRssMb.toFixed(0)} MB |`,
      );
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

process.stdout.write(
  `Node ${process.version}, ${cpus().length} cores; median of ${runs} runs, each a fresh process (peak = highest max RSS).\n\n` +
    "| accounts | format | input MB | synth wall | synth peak | preview wall | preview peak |\n" +
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n" +
    `${rows.join("\n")}\n`,
);
if (floorRows.length > 0) {
  process.stdout.write(
    `\n\`synth\` against its floor (the same input read and the same files written, no work), medians of ${floorRuns} interleaved runs; load average ${loadavg()[0]!.toFixed(1)} at the end:\n\n` +
      "| accounts | stacks | floor: wall (CPU) | cold: wall | ratio | cold: CPU | ratio | warm: wall | ratio | warm: CPU | ratio |\n" +
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n" +
      `${floorRows.join("\n")}\n`,
  );
}
