// `node dist/bench/api-cost-table.js`: the Okta requests one account costs,
// by rate-limit bucket, at first sync, at a full refresh and for each kind of
// change, as okta/okta 4.20.0 and 6.12.0 make them (src/domain/api-cost.ts),
// beside the fewest the Okta API allows for the same result. The account is
// the benchmarks' (bench/terraform-bench.ts): one IdP team group, one direct
// viewer. A Markdown table on stdout.
import { accountCalls, ACCOUNT_CHANGES, BUCKETS, checkCalls, minimumCalls, totalCalls, type Bucket, type Calls } from "../src/domain/api-cost.ts";

const shape = { viewers: 1, teams: 1 };
const WHAT: Record<(typeof ACCOUNT_CHANGES)[number], string> = {
  firstSync: "first sync (app, access group, 1 member, 2 group assignments)",
  refresh: "full refresh (`reconcile`)",
  relabel: "relabel",
  viewerAdded: "a direct viewer added",
  viewerRemoved: "a direct viewer removed",
  teamAdded: "an IdP team added",
  teamRemoved: "the IdP team removed",
  accountRemoved: "account removed (R10)",
};

const describe = (calls: Calls) =>
  `${totalCalls(calls)}: ${(Object.keys(BUCKETS) as Bucket[])
    .filter((bucket) => (calls[bucket] ?? 0) > 0)
    .map((bucket) => `${calls[bucket]} ${BUCKETS[bucket]}`)
    .join(", ")}`;
const apps = (calls: Calls) => calls.apps ?? 0;

const rows = ACCOUNT_CHANGES.map((change) => {
  const old = accountCalls(change, shape, "4.20.0");
  const six = accountCalls(change, shape, "6.12.0");
  const minimum = minimumCalls(change, shape);
  const checks = checkCalls(change, shape);
  return `| ${WHAT[change]} | ${describe(old)} | ${describe(six)} | ${describe(minimum)} | ${apps(old)} / ${apps(six)} / ${apps(minimum)} | ${totalCalls(checks) === 0 ? "" : describe(checks)} |`;
});
process.stdout.write(
  "| per account | okta/okta 4.20.0 | okta/okta 6.12.0 (`skip_authentication_policy`) | Okta API minimum | `/api/v1/apps` (100/min): 4.20 / 6.12 / minimum | cerby-okta's own checks besides |\n" +
    "| --- | --- | --- | --- | ---: | --- |\n" +
    `${rows.join("\n")}\n`,
);
