// Before any test: the compiled code in dist/ is brought up to date
// (`tsc -b tsconfig.build.json`, incremental: about half a second when nothing
// changed, then the CLI's bundle: about half a second more), because tests
// spawn the CLI (bin/cerby-okta.js runs dist/cli/), the
// sandbox and the stand-in Terraform provider compiled. In watch mode it is
// brought up to date again before every re-run.
//
// Every test run also gets a temporary folder of its own (TMPDIR), removed at
// the end: what cdktf's Testing helpers, Terraform sandboxes and the tests
// leave in the temp folder goes with it, instead of piling up run after run.
// And the CLI's warning about Node 20's end of life is turned off (below).
//
// Once dist/ is built, the stand-in okta/okta provider is installed once for
// the run (a certificate, the filesystem mirror, the CLI config), in that
// folder: every Terraform sandbox of the run shares it (SHARED_INSTALL_ENV).
// And provider hosts are started (harness/provider-hosts.ts), one per core:
// the stand-in provider processes Terraform starts are served by them instead
// of each starting Node (CERBY_OKTA_TEST_PROVIDER_HOSTS=0 turns them off, so
// every provider process is a Node process of its own again).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { PROVIDER_HOSTS_ENV, startProviderHosts, type ProviderHosts } from "../../harness/provider-hosts.ts";
import { installStandInProvider, SHARED_INSTALL_ENV, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs the incremental build, then bundles the CLI; type errors are reported but do not stop the tests (tsc still emits, as vitest still runs the sources). */
function build(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const started = performance.now();
  const result = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.error || (result.status !== 0 && !/error TS\d+/.test(output))) {
    throw new Error(`npm run build failed, so dist/ may be stale: ${result.error?.message ?? output}`);
  }
  if (result.status !== 0) {
    process.stderr.write(`[global-setup] dist/ was rebuilt, with type errors (\`npm run typecheck\` fails on them):\n${output}\n`);
  }
  // The CLI runs bundled (bin/bundle-cli.js, as `npm run build` does after tsc).
  const bundled = spawnSync(process.execPath, [path.join(root, "bin", "bundle-cli.js")], { cwd: root, encoding: "utf8" });
  if (bundled.error || bundled.status !== 0) {
    throw new Error(`npm run build failed to bundle the CLI, so dist/cli/ may be stale: ${bundled.error?.message ?? bundled.stderr}`);
  }
  const ms = performance.now() - started;
  if (ms > 3000) process.stderr.write(`[global-setup] build of dist/ took ${(ms / 1000).toFixed(1)} s\n`);
}

/**
 * A digest of every file of the shared install (paths and contents): a test
 * that alters it breaks the Terraform runs of other files running meanwhile
 * (such a test takes `privateInstall`), so the run fails if it changed.
 */
function installDigest(install: string): string {
  const hash = createHash("sha256");
  for (const entry of readdirSync(install, { recursive: true, withFileTypes: true }).filter((found) => found.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    hash.update(`${path.relative(install, file)}\0`).update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Names the run's folder once a project of the run has set it up: the unit and e2e projects share one build and one folder. */
const RUN_DIR_ENV = "CERBY_OKTA_TEST_RUN_DIR";

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env[RUN_DIR_ENV]) return () => {};
  build();
  project.onTestsRerun(() => build());
  // The CLI warns at every start on Node 20 (past its end of life); tests that read stderr whole would see it
  // on the Node 20 the suite runs on. test/cli/cli.test.ts checks the warning itself, without this.
  process.env.CERBY_OKTA_NODE_EOL_WARNING = "0";
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-tests-"));
  process.env.TMPDIR = dir;
  process.env[RUN_DIR_ENV] = dir;
  const install = path.join(dir, "provider-install");
  let installedDigest: string | undefined;
  if (!shouldSkipTerraformTests()) {
    await installStandInProvider(install);
    installedDigest = installDigest(install);
    process.env[SHARED_INSTALL_ENV] = install;
  }
  let hosts: ProviderHosts | undefined;
  if (!shouldSkipTerraformTests() && process.env.CERBY_OKTA_TEST_PROVIDER_HOSTS !== "0") {
    hosts = await startProviderHosts(availableParallelism());
    process.env[PROVIDER_HOSTS_ENV] = hosts.ports;
  }
  return () => {
    hosts?.stop();
    delete process.env[PROVIDER_HOSTS_ENV];
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[SHARED_INSTALL_ENV];
    delete process.env[RUN_DIR_ENV];
    let altered = false;
    try {
      altered = installedDigest !== undefined && installDigest(install) !== installedDigest;
    } catch {
      altered = true;
    }
    rmSync(dir, { recursive: true, force: true });
    if (altered) {
      throw new Error("a test altered or removed the run's shared provider install (the mirror other test files use at the same time): give its sandbox `privateInstall: true`");
    }
  };
}
