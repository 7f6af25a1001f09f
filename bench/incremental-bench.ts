// `npm run bench:incremental`: Okta API requests that one account's change
// costs after a first sync, at 10 and 1,000 accounts (R8), measured through
// the real CLI and Terraform against the local Okta emulator.
import { costOfOneChange } from "../harness/change-cost.ts";

const sizes = (process.env.BENCH_SIZES ?? "10,1000").split(",").map(Number);
const rows: string[] = [];
for (const size of sizes) {
  process.stderr.write(`${size} accounts: first sync, then one change...\n`);
  const cost = await costOfOneChange(size);
  const buckets = Object.entries(cost.byBucket).map(([bucket, count]) => `${bucket} ${count}`).join(", ");
  rows.push(`| ${size.toLocaleString("en-US")} | ${cost.total} | ${buckets} | ${cost.firstSyncSeconds.toFixed(0)} s |`);
}
process.stdout.write(
  "| accounts | requests for one change (plan + apply) | by bucket | first sync (stand-in provider) |\n| ---: | ---: | --- | ---: |\n" +
    `${rows.join("\n")}\n`,
);
