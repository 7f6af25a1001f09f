// Watch-mode benchmark (issue 4): a 10k-account workspace split over 20 account
// files (3 direct users + 2 teams per account), generated into a temp folder.
//
//   npm run bench:watch      (node --expose-gc dist/bench/watch-bench.js)
//
// Latency: time from the start of the write of one edited grant until the
// watcher reports the new output on disk (its rename done), median of 20
// edits; each result is also checked on disk. Memory: RSS and heapUsed
// (after gc, a 200 ms pause and gc again, when --expose-gc is given) after
// edits 50 and 500.
// Options: --accounts N, --files N, --edits N (default 500), --debounce MS (default 50).
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startWatcher, type SyncReport } from "../src/watch/watcher.ts";
import { accountsFileYaml, generateWorkspace, makeTempDir, removeDir } from "../harness/workspace-fixture.ts";

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
  if (reports.length > 3) reports.shift(); // kept for error messages only: the bench must not grow itself
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

const collaborators = new Map<number, number>();
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
  // The second collaborator becomes another user from u-150 up, whom no team holds (team members are
  // u-0..u-119): every edit changes who sees the chiclet.
  const owner = index % ws.users;
  const third = (index + 2) % ws.users;
  const current = collaborators.get(index) ?? (index + 1) % ws.users;
  let next = current >= 150 ? current : 149;
  do next = 150 + ((next - 150 + 1) % (ws.users - 150));
  while (next === owner || next === third || next === current);
  collaborators.set(index, next);
  const text = accountsFileYaml(file, ws.accountsPerFile, ws.users, ws.teams, collaborators);
  const done = new Promise<SyncReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`edit ${edit}: no sync within 30 s; last reports ${JSON.stringify(reports.slice(-3))}`)), 30_000);
    waiting = (report) => {
      clearTimeout(timer);
      resolve(report);
    };
  });
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
  return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
}

const latencies: Sample[] = [];
const memorySamples: { edit: number; rss: number; heap: number }[] = [];
const total = Math.max(edits, latencyEdits);
const loadBefore = loadavg()[0]!;
for (let edit = 1; edit <= total; edit++) {
  const sample = await editOnce(edit);
  if (edit <= latencyEdits) latencies.push(sample);
  if (edit === 1 || edit % 10 === 0 || edit === total) memorySamples.push({ edit, ...(await memory()) });
}
const loadAfter = loadavg()[0]!;

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
    (["read", "desired", "write"] as const).map((phase) => {
      const values = latencies.map((sample) => sample.phases[phase]);
      return [`  sync: ${phase} (ms)`, { median: +median(values).toFixed(0), p90: +quantile(values, 0.9).toFixed(0), max: +Math.max(...values).toFixed(0) }];
    }),
  ),
});
console.log(`memory over ${total} edits (MiB${gc ? ", after gc, 200 ms pause, gc" : ", no gc: run with --expose-gc"}), sampled every 10 edits:`);
const shown = memorySamples.filter((sample) => sample.edit === 1 || sample.edit === 50 || sample.edit % 100 === 0 || sample.edit === total);
console.table(Object.fromEntries(shown.map((sample) => [`after edit ${sample.edit}`, { rss: +sample.rss.toFixed(1), heapUsed: +sample.heap.toFixed(1) }])));
const at = (edit: number) => memorySamples.find((sample) => sample.edit === edit);
const window = (from: number, to: number) => memorySamples.filter((sample) => sample.edit >= from && sample.edit <= to);
const growth = (from: number, to: number) => (100 * (to - from)) / from;
const atEdit50 = at(50);
const end = memorySamples.at(-1)!;
if (atEdit50 && total >= 100) {
  const early = window(50, 100);
  const late = window(total - 50, total);
  const rssEarly = median(early.map((sample) => sample.rss));
  const rssLate = median(late.map((sample) => sample.rss));
  const heapEarly = median(early.map((sample) => sample.heap));
  const heapLate = median(late.map((sample) => sample.heap));
  const after50 = memorySamples.filter((sample) => sample.edit >= 50);
  console.table({
    "edit 50 -> last edit (%)": { rss: +growth(atEdit50.rss, end.rss).toFixed(1), heapUsed: +growth(atEdit50.heap, end.heap).toFixed(1) },
    [`median of edits 50-100 -> ${total - 50}-${total} (%)`]: { rss: +growth(rssEarly, rssLate).toFixed(1), heapUsed: +growth(heapEarly, heapLate).toFixed(1) },
    "range after edit 50 (MiB)": { rss: `${Math.min(...after50.map((sample) => sample.rss)).toFixed(0)}-${Math.max(...after50.map((sample) => sample.rss)).toFixed(0)}`, heapUsed: `${Math.min(...after50.map((sample) => sample.heap)).toFixed(1)}-${Math.max(...after50.map((sample) => sample.heap)).toFixed(1)}` },
  });
  const flat = growth(atEdit50.rss, end.rss) < 10 && growth(atEdit50.heap, end.heap) < 10;
  console.log(`median latency ${median(lat).toFixed(0)} ms (target <= 300 ms): ${median(lat) <= 300 ? "PASS" : "FAIL"}; memory growth after edit 50 (target < 10%): ${flat ? "PASS" : "FAIL"}`);
}
console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)} on ${cpus().length} CPUs`);
