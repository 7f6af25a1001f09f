// `npm run bench`: wall time and peak memory of `cerby-okta synth` and
// `cerby-okta preview --json` on generated JSON workspaces, each command run
// as a fresh process, as a user would run it. Prints a Markdown table.
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT as repo } from "../harness/repo-root.ts";
import { generateWorkspace } from "./generate.ts";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const yamlUpTo = Number(process.env.BENCH_YAML_UP_TO ?? 10000);

interface Measurement {
  readonly wallMs: number;
  readonly peakRssMb: number;
}

async function measure(args: string[], cwd: string): Promise<Measurement> {
  const rssFile = path.join(cwd, `rss-${Date.now()}-${Math.random()}`);
  const started = performance.now();
  // The Node this benchmark runs on (npm exec --package=node@22 -- node ...), not whichever is first on PATH.
  await execa(process.execPath, ["--import", path.join(repo, "bench", "peak-rss.mjs"), path.join(repo, "bin", "cerby-okta.js"), ...args], {
    cwd,
    env: { CERBY_OKTA_BENCH_RSS_FILE: rssFile },
    stdout: "ignore",
  });
  const wallMs = performance.now() - started;
  const peakKb = Number((await readFile(rssFile, "utf8")).trim());
  await rm(rssFile);
  return { wallMs, peakRssMb: peakKb / 1024 };
}

/** Median wall time, highest peak memory over `runs` runs. */
async function repeat(args: string[], cwd: string): Promise<Measurement> {
  const results: Measurement[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(args, cwd));
  const walls = results.map((result) => result.wallMs).sort((a, b) => a - b);
  return { wallMs: walls[Math.floor(walls.length / 2)]!, peakRssMb: Math.max(...results.map((result) => result.peakRssMb)) };
}

const rows: string[] = [];
const work = await mkdtemp(path.join(tmpdir(), "cerby-okta-bench-"));
try {
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
