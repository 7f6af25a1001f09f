// `npm run bench:incremental`: Okta API requests of a first sync, a full
// refresh (`reconcile`) and one account's change (R8), at 10 and 1,000
// accounts, measured through the real CLI and Terraform against the local
// Okta emulator and the strict stand-in provider (calls as the okta/okta
// release BENCH_OKTA_PROVIDER names makes them: 6.12.0 by default, or
// 4.20.0), beside what `synth` predicts (src/domain/api-cost.ts, 4.20's calls).
import { isModelledOktaProviderVersion } from "../src/config/okta-provider-version.ts";
import { minutesAtRateLimits, totalCalls } from "../src/domain/api-cost.ts";
import { costOfOneChange } from "../harness/change-cost.ts";

const sizes = (process.env.BENCH_SIZES ?? "10,1000").split(",").map(Number);
const release = process.env.BENCH_OKTA_PROVIDER;
if (release !== undefined && !isModelledOktaProviderVersion(release)) throw new Error(`BENCH_OKTA_PROVIDER=${release}: not a modelled okta/okta release (6.12.0, 4.20.0)`);
const format = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([bucket, count]) => `${bucket} ${count}`)
    .join(", ");
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);

const change: string[] = [];
const whole: string[] = [];
for (const size of sizes) {
  process.stderr.write(`${size} accounts, okta/okta ${release ?? "6.12.0"}: first sync, full refresh, then one change...\n`);
  const cost = await costOfOneChange(size, release);
  const routes = Object.entries(cost.byRoute)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([route, count]) => `${route} ${count}`)
    .join(", ");
  change.push(`| ${size.toLocaleString("en-US")} | ${cost.total} | ${routes} |`);
  whole.push(
    `| ${size.toLocaleString("en-US")} | first sync | ${sum(cost.firstSync)} (${totalCalls(cost.estimate.firstSync)}) | ${format(cost.firstSync)} | ${cost.firstSyncSeconds.toFixed(0)} s | ${minutesAtRateLimits(cost.estimate.firstSync, 50).toFixed(1)} min |`,
    `| ${size.toLocaleString("en-US")} | full refresh | ${sum(cost.fullRefresh)} (${totalCalls(cost.estimate.fullRefresh)}) | ${format(cost.fullRefresh)} | | ${minutesAtRateLimits(cost.estimate.fullRefresh, 50).toFixed(1)} min |`,
  );
}
process.stdout.write(
  "One account relabelled and given a new direct viewer: plan + apply + the check after it\n\n" +
    "| accounts | requests | by route |\n| ---: | ---: | --- |\n" +
    `${change.join("\n")}\n\n` +
    "Whole-workspace operations: measured (predicted by synth); wall time with the stand-in; time Okta's default limits impose at max_api_capacity 50\n\n" +
    "| accounts | operation | requests (predicted) | by Okta bucket | stand-in wall | at Okta's limits |\n| ---: | --- | ---: | --- | ---: | ---: |\n" +
    `${whole.join("\n")}\n`,
);
