import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The end-to-end scenarios: every file that runs the real `terraform` with the
 * stand-in provider and the emulator (`npm run test:e2e`). Everything else is
 * `npm run test:unit`. `npm test` runs both.
 */
const e2e = [
  "test/sync/{cdktf-deploy,concurrency,converge,crash,create-check,credentials,incremental-cost,interrupt,migrate-state,never-lose,okta-churn,oauth,one-project,opentofu,provider-upgrade,readers,real-provider,remove-workspace,reshard,status-in-state,terraform-sync,watch-apply}.test.ts",
  "test/harness/terraform-*.test.ts",
  "test/sandbox/*.test.ts",
  "test/cli/{auto-shards,review-browser}.test.ts",
  "test/terraform/init-record.test.ts",
];

export default defineConfig({
  test: {
    // A guard against a hung test, not a performance check (those count CPU
    // time, test/support/cpu-time.ts): on a machine busy with other work a
    // test that takes 3 s alone can take 30 s and more.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ["test/support/global-setup.ts"],
    // An end-to-end file spends much of its time waiting: on Terraform and
    // the processes it starts, on the provider's real backoff and rate-limit
    // waits. On 2 cores, three files at a time kept both cores about 93%
    // busy and took 323 s, where two took 379 s (docs/benchmarks.md).
    maxWorkers: availableParallelism() + 1,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: e2e } },
      { extends: true, test: { name: "e2e", include: e2e } },
    ],
  },
});
