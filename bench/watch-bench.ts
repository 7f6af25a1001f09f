// Watch-mode benchmark (issue 4): a 10k-account workspace split over 20 account
// files (3 direct users + 2 teams per account), generated into a temp folder.
//
//   node --expose-gc bin/run-ts.js bench/watch-bench.ts      (or: node --expose-gc --import tsx bench/watch-bench.ts)
//
// Latency: time from the start of the write of one edited grant until the
// watcher reports the new output on disk (its rename done), median of 20
// edits; each result is also checked on disk. Memory: RSS and heapUsed
// (after gc, a 200 ms pause and gc again, when --expose-gc is given) after
// edits 50 and 500.
// Options: --accounts N, --files N, --edits N (default 500), --debounce MS (default 50).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { startWatcher, type SyncReport } from "../src/watch/watcher.ts";
import { accountsFileYaml, generateWorkspace, makeTempDir, removeDir } from "../test/watch/fixture.ts";

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "10000" },
    files: { type: "string", default: "20" },
    edits: { type: "string", default: "500" },
    latency: { type: "string", default: "20" },
    debounce: { type: "string", default: "50" },
  },
});
const accounts = Number(values.accounts);
const files = Number(values.files);
const edits = Number(values.edits);
const latencyEdits = Number(values.latency);
const debounceMs = Number(values.debounce);
const gc = (globalThis as { gc?: () => void }).gc;

const root = makeTempDir("cerby-okta-watch-bench-");
const workspacesDir = path.join(root, "workspaces");
const outDir = path.join(root, "out");
const ws = await generateWorkspace(workspacesDir, { id: "ws-bench", accounts, files });
console.log(`workspace: ${accounts} accounts in ${files} account files + workspace.yaml (${ws.users} users, ${ws.teams} teams), debounce ${debounceMs} ms, node ${process.version}${gc ? ", --expose-gc" : ""}`);

const watcher = startWatcher({ workspacesDir, outDir, debounceMs, log: () => undefined });
let waiting: ((report: SyncReport) => void) | undefined;
const reports: SyncReport[] = [];
watcher.onSync((report) => {
  reports.push(report);
  if (report.outcome !== "unchanged" && waiting) {
    const wake = waiting;
    waiting = undefined;
    wake(report);
  }
});
const firstStart = performance.now();
const first = new Promise<SyncReport>((resolve) => (waiting = resolve));
await watcher.ready;
const firstReport = await first;
console.log(`first sync (all files parsed, stack synthesized): ${(performance.now() - firstStart).toFixed(0)} ms, outcome ${firstReport.outcome}`);

const shifts = new Map<number, number>();
const dataFile = path.join(outDir, "stacks", ws.id, "cerby-okta.json");

interface Sample {
  readonly latencyMs: number;
  readonly syncMs: number;
  readonly phases: SyncReport["phases"];
}

/** Edits the second collaborator of one account (a grant) and waits for the output. */
async function editOnce(edit: number): Promise<Sample> {
  const file = edit % files;
  const index = file * ws.accountsPerFile + ((edit * 37) % ws.accountsPerFile);
  shifts.set(index, ((shifts.get(index) ?? 0) + 1) % 5);
  const text = accountsFileYaml(file, ws.accountsPerFile, ws.users, ws.teams, shifts);
  const done = new Promise<SyncReport>((resolve) => (waiting = resolve));
  const start = performance.now();
  await writeFile(ws.accountFiles[file]!, text);
  const report = await done;
  const latencyMs = performance.now() - start;
  if (report.outcome !== "ok" || report.written.length !== 1) throw new Error(`edit ${edit}: unexpected sync ${JSON.stringify(report)}`);
  return { latencyMs, syncMs: report.durationMs, phases: report.phases };
}

/** After a full gc, a pause (V8 gives freed pages back lazily) and another gc. */
async function memory() {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
  const usage = process.memoryUsage();
  if (process.env.WATCH_BENCH_DEBUG) console.error(JSON.stringify(Object.fromEntries(Object.entries(usage).map(([key, value]) => [key, Math.round(value / 2 ** 20)]))));
  return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
}

const latencies: Sample[] = [];
let at50: { rss: number; heap: number } | undefined;
let peakRss = 0;
const memoryRows: string[][] = [];
const total = Math.max(edits, latencyEdits);
for (let edit = 1; edit <= total; edit++) {
  const sample = await editOnce(edit);
  if (edit <= latencyEdits) latencies.push(sample);
  if (edit === 1 || edit === 50 || edit % 100 === 0 || edit === total || (process.env.WATCH_BENCH_DEBUG && edit % 25 === 0)) {
    const now = await memory();
    peakRss = Math.max(peakRss, now.rss);
    if (edit === 50) at50 = now;
    memoryRows.push([String(edit), now.rss.toFixed(1), now.heap.toFixed(1)]);
  }
}

// The last edit is on disk: check it against what the watcher said.
const onDisk = JSON.parse(await readFile(dataFile, "utf8")) as { apps: Record<string, unknown> };
if (Object.keys(onDisk.apps).length !== accounts) throw new Error(`expected ${accounts} apps on disk, found ${Object.keys(onDisk.apps).length}`);

await watcher.stop();
await removeDir(root);

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const quantile = (list: number[], q: number) => sorted(list)[Math.min(list.length - 1, Math.floor(q * list.length))]!;
const median = (list: number[]) => {
  const s = sorted(list);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const lat = latencies.map((sample) => sample.latencyMs);
const sync = latencies.map((sample) => sample.syncMs);
console.log(`\nlatency over the first ${latencies.length} edits (write start -> new output renamed into place):`);
console.table({
  "write -> output on disk (ms)": { median: +median(lat).toFixed(0), p90: +quantile(lat, 0.9).toFixed(0), max: +Math.max(...lat).toFixed(0) },
  "of which the sync itself (ms)": { median: +median(sync).toFixed(0), p90: +quantile(sync, 0.9).toFixed(0), max: +Math.max(...sync).toFixed(0) },
  ...Object.fromEntries(
    (["read", "desired", "compare", "write"] as const).map((phase) => {
      const values = latencies.map((sample) => sample.phases[phase]);
      return [`  sync: ${phase} (ms)`, { median: +median(values).toFixed(0), p90: +quantile(values, 0.9).toFixed(0), max: +Math.max(...values).toFixed(0) }];
    }),
  ),
});
console.log(`memory over ${total} edits (MiB${gc ? ", after gc" : ", no gc: run with --expose-gc"}):`);
console.table(Object.fromEntries(memoryRows.map(([edit, rss, heap]) => [`after edit ${edit}`, { rss: +rss!, heapUsed: +heap! }])));
const last = memoryRows.at(-1)!;
if (at50) {
  const rssGrowth = (100 * (Number(last[1]) - at50.rss)) / at50.rss;
  const heapGrowth = (100 * (Number(last[2]) - at50.heap)) / at50.heap;
  console.log(`growth after edit 50: RSS ${rssGrowth.toFixed(1)}%, heapUsed ${heapGrowth.toFixed(1)}% (target < 10%)`);
  console.log(`median latency ${median(lat).toFixed(0)} ms (target <= 300 ms): ${median(lat) <= 300 ? "PASS" : "FAIL"}; memory: ${rssGrowth < 10 && heapGrowth < 10 ? "PASS" : "FAIL"}`);
}
