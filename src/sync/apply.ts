// `apply`: exactly the plans the last `plan` saved, stack by stack, under the
// destroy guard. Around each Terraform apply:
// - objects already deleted in the Okta console make okta/okta 4.20 fail
//   (a 404 on delete or update is an error to it): those addresses are read
//   back (a targeted refresh), the stack is planned again and applied once
//   more, so such a sync heals itself instead of failing until `reconcile`;
// - what the apply changed in place is read back and compared (verify.ts);
// - a failure is reported in Okta terms, with Terraform's own reason.

import { ExternalError, UsageError } from "../errors.ts";
import { TerraformApplyError, TerraformStopped, type Diagnostic, type Terraform } from "../terraform/terraform.ts";
import { ACCESS_MEMBERS, isResource, MANAGED_RESOURCES, resourcePath } from "../stack/names.ts";
import { readPlan, stringList } from "../terraform/plan-report.ts";
import { ProgressMeter } from "../terraform/progress.ts";
import { readPeopleRecord, rememberPeople, writePeopleRecord } from "./people-record.ts";
import { destroyRefusal, runAccessRefusal, type DestroyLimits } from "./destroy-guard.ts";
import { planStack, type Log } from "./plan.ts";
import { STACK_READS_AT_ONCE } from "./state-status.ts";
import { inPool } from "../limiter.ts";
import { forgetPlan, forgetPlans, planFile, planToApply, readPlanSet, stackDigest, stackDir, type PlanSet, type SavedPlan, type SyncPaths } from "./saved-plans.ts";
import { recordSync } from "./status.ts";
import { READ_ONCE, verifyAccounts, type Verification, type VerifyContext } from "./verify.ts";
import type { AccessReader } from "../okta-api/org-objects.ts";

import path from "node:path";
import { compareText, printable } from "../text/printable.ts";
import { namingOf } from "../domain/readers.ts";

export interface ApplyOptions {
  readonly limits: DestroyLimits;
  readonly allowDestroy: boolean;
  readonly log: Log;
  readonly now?: () => Date;
  /** Reads a stack's Okta org directly, to verify cheaply; undefined (no API token) means a Terraform refresh verifies. */
  readonly reader?: (stack: string, paths: SyncPaths) => Promise<AccessReader | undefined>;
  /** Stacks applied at once (default: as many as were planned at once, PlanSet.parallel). */
  readonly parallel?: number;
  /** Checks Okta takes the credentials of the stacks about to be applied, before Terraform runs (src/cli/okta-options.ts). */
  readonly checkCredentials?: (stacks: readonly string[]) => Promise<void>;
  /**
   * The plans' reports were read by this process (`terraform show -json`) from the binary plans whose SHA-256 they
   * record, not loaded from disk (`watch --apply`): the destroy guard judges them without showing each file again.
   */
  readonly reportsShownHere?: boolean;
}

export interface ApplyResult {
  readonly applied: readonly string[];
  readonly verified: number;
}

/**
 * Loads the plan set saved by `plan` and checks it may be applied: made for
 * this output folder (when `--out` is given), and every stack folder still
 * what was planned.
 */
export async function loadPlanSetForApply(
  stateDir: string,
  explicitOutDir: string | undefined,
  /** Called when a plan of the set will need Terraform, before the stack folders are read. */
  terraformAhead?: () => void,
): Promise<{ set: PlanSet; plans: SavedPlan[]; paths: SyncPaths }> {
  const { set, plans } = await readPlanSet(stateDir);
  if (plans.some(needsTerraform)) terraformAhead?.();
  if (explicitOutDir !== undefined && path.resolve(explicitOutDir) !== set.outDir) {
    throw new UsageError(
      `the saved plans were made for the stacks in ${set.outDir}, not --out ${explicitOutDir}: run apply with --out ${set.outDir}, or plan again with this --out`,
    );
  }
  const paths = { outDir: set.outDir, stateDir };
  // Several stack folders read at once: one at a time, the reads' round trips added up at 128 shards.
  const digests = await inPool(plans, STACK_READS_AT_ONCE, (plan) => stackDigest(paths, plan.stack));
  const changed = plans.find((plan, position) => digests[position] !== plan.stackDigest);
  if (changed) {
    throw new UsageError(
      `the stack ${changed.stack} in ${set.outDir} changed since it was planned (a synth, watch or plan wrote it since): run \`cerby-okta plan\` again, then apply; nothing was changed`,
    );
  }
  return { set, plans, paths };
}

/** Applies saved plans stack by stack. The guard checks every stack first, so a refusal changes nothing. */
export async function applySavedPlans(set: PlanSet, plans: readonly SavedPlan[], terraform: Terraform, paths: SyncPaths, options: ApplyOptions): Promise<ApplyResult> {
  if (!options.allowDestroy) {
    const refusals = [...plans.map((plan) => destroyRefusal(plan.report, options.limits)), runAccessRefusal(plans.map((plan) => plan.report), options.limits)].filter(Boolean);
    if (refusals.length > 0) throw new UsageError(`apply refused, nothing was changed:\n${refusals.join("\n")}`);
  }
  if (plans.length === 0) {
    options.log(set.notSynced.length > 0 ? `nothing to apply (Extended account access is off for ${set.notSynced.join(", ")})` : "nothing to apply");
  }
  const applied: string[] = [];
  let verified = 0;
  let remaining = set;
  // Stacks applied at once share the saved plan set's index: its updates go one after another.
  let indexUpdates = Promise.resolve();
  const pending = plans.filter((plan) => !plan.unchangedSinceApply);
  if (plans.some(needsTerraform)) terraform.checkVersionSoon?.();
  // The first stacks' plan files are copied and their guard judged (`terraform show`, no Okta request) while Okta is
  // asked about the credentials: the check's round trip no longer comes before the guard's.
  const parallel = Math.max(1, options.parallel ?? set.parallel ?? 1);
  const prepared = new PreparedApplies(terraform, paths, options);
  for (const plan of pending.filter(hasWork).slice(0, parallel)) prepared.start(plan);
  try {
    await options.checkCredentials?.(pending.map((plan) => plan.stack));
  } catch (error) {
    await prepared.discard();
    throw error;
  }
  if (pending.length < plans.length) options.log(`${plans.length - pending.length} stack${plans.length - pending.length === 1 ? "" : "s"} unchanged since the last apply: nothing to apply there`);
  // Every stack keeps to its workspace's whole share (the governors share Okta's counts); Terraform's -parallelism bounds the bursts.
  const failed: unknown[] = []; // by position, in plan order
  await inPool(pending, parallel, async (plan, position) => {
    const prefix = `[${position + 1}/${pending.length}] ${plan.stack}`;
    try {
      verified += await applyStack(plan, terraform, paths, options, prefix, prepared);
    } catch (error) {
      // Stacks applied at once are all stopped: one line for each, whichever error the command ends with.
      if (error instanceof TerraformStopped) options.log(`${prefix}: stopped before it finished; the next plan shows what is left`);
      const before = applied.length > 0 ? ` (stacks applied before it: ${applied.join(", ")})` : "";
      if (error instanceof UsageError || error instanceof ExternalError) error.message = `${prefix}: ${error.message}${before}`;
      failed[position] = error;
      throw error;
    }
    // A stack waiting for people Okta does not know yet depends on Okta, not only on its files: never skip its next plan.
    const digest = plan.report.unresolvedPeople.length > 0 || (plan.report.oktaWarnings ?? []).length > 0 ? undefined : (plan.settledDigest ?? plan.stackDigest);
    await recordSync(paths.stateDir, { stack: plan.stack, workspaceId: plan.workspaceId, shards: plan.shards, digest }, plan.accounts, (options.now ?? (() => new Date()))());
    indexUpdates = indexUpdates.then(async () => {
      remaining = await forgetPlan(paths, remaining, plan.stack);
    });
    await indexUpdates;
    applied.push(plan.stack);
  })
    .catch((error: unknown) => {
      const errors = failed.filter(() => true); // the positions that failed, in order
      throw everyFailure(errors.length > 0 ? errors : [error], pending.map((plan) => plan.stack).filter((stack) => !applied.includes(stack)));
    })
    .finally(() => prepared.discard());
  remaining = await forgetPlans(
    paths,
    remaining,
    plans.filter((candidate) => candidate.unchangedSinceApply).map((plan) => plan.stack),
  );
  return { applied: applied.sort(compareText), verified };
}

/**
 * Stacks applied at once may fail together: every failure is named, and the
 * stacks not applied (failed, or never started after the first failure) are listed.
 */
function everyFailure(failed: readonly unknown[], notApplied: readonly string[]): unknown {
  const rest = `\nNot applied: ${[...notApplied].sort(compareText).join(", ")}. Run \`cerby-okta plan\` and \`apply\` again once the cause is fixed.`;
  // Our own bug is reported as such, with its stack.
  const bug = failed.find((error) => !(error instanceof UsageError || error instanceof ExternalError));
  if (bug !== undefined) return bug;
  if (failed.length === 1) {
    (failed[0] as Error).message += rest;
    return failed[0];
  }
  const messages = failed.map((error) => (error instanceof Error ? error.message : String(error)));
  const text = `${failed.length} stacks failed:\n${messages.map((message) => `- ${message.replace(/\n/g, "\n  ")}`).join("\n")}${rest}`;
  return failed.every((error) => error instanceof UsageError) ? new UsageError(text) : new ExternalError(text);
}

function hasWork(plan: SavedPlan): boolean {
  return plan.report.hasChanges || (plan.report.recordChanges ?? 0) > 0;
}

/** A plan whose apply runs Terraform: one with work, not skipped as unchanged since the last apply. */
function needsTerraform(plan: SavedPlan): boolean {
  return !plan.unchangedSinceApply && hasWork(plan);
}

/** A stack's plan file as it will be applied: copied where no other plan writes, its guard judged on that copy. */
interface ApplyingPlan {
  readonly file: string;
  remove(): Promise<void>;
}

/** Plan files copied and judged ahead of their apply, each taken once (an apply that heals plans again). */
class PreparedApplies {
  private readonly ready = new Map<string, Promise<ApplyingPlan>>();

  constructor(
    private readonly terraform: Terraform,
    private readonly paths: SyncPaths,
    private readonly options: ApplyOptions,
  ) {}

  start(plan: SavedPlan): void {
    const applying = prepareApply(plan, this.terraform, this.paths, this.options);
    applying.catch(() => undefined); // its refusal is reported when its apply takes it
    this.ready.set(plan.stack, applying);
  }

  /** The plan file prepared ahead for this very plan, or prepared now. */
  take(plan: SavedPlan): Promise<ApplyingPlan> {
    const early = this.ready.get(plan.stack);
    this.ready.delete(plan.stack);
    return early ?? prepareApply(plan, this.terraform, this.paths, this.options);
  }

  /** Removes the copies never applied (a failed check or stack stopped the run first). */
  async discard(): Promise<void> {
    const left = [...this.ready.values()];
    this.ready.clear();
    await Promise.all(left.map((applying) => applying.then((prepared) => prepared.remove(), () => undefined)));
  }
}

/** Exactly the binary plan that was reviewed, its guard judged again on that very file. */
async function prepareApply(plan: SavedPlan, terraform: Terraform, paths: SyncPaths, options: ApplyOptions): Promise<ApplyingPlan> {
  const applying = await planToApply(paths, plan);
  try {
    if (!options.allowDestroy && !options.reportsShownHere) await guardPlanFile(plan.stack, applying.file, terraform, paths, options.limits);
  } catch (error) {
    await applying.remove();
    throw error;
  }
  return applying;
}

/** Applies one stack (healing once if Okta lost objects), then verifies; returns the accounts verified. */
async function applyStack(plan: SavedPlan, terraform: Terraform, paths: SyncPaths, options: ApplyOptions, prefix: string, prepared: PreparedApplies): Promise<number> {
  if (!hasWork(plan)) {
    options.log(`${prefix}: nothing to apply`);
    return 0;
  }
  // Okta user ID -> `login (cerby id)` (escaped), for the check's messages.
  const naming = namingOf(plan.report.readers);
  const people = new Map([...(await rememberPeople(paths, plan.stack, {}))].map(([oktaUserId, cerbyUserId]) => [oktaUserId, naming.person(cerbyUserId)]));
  const labels = new Map(Object.entries(plan.accounts).map(([accountId, account]) => [accountId, account.label]));
  const reader = await options.reader?.(plan.stack, paths);
  let current = plan;
  for (let attempt = 1; ; attempt++) {
    try {
      await runApply(current, await prepared.take(current), terraform, paths, options, prefix);
      return await verifyOrFail(current, current.report.accountsToVerify, terraform, paths, { people, labels, reader }, options.log, prefix);
    } catch (error) {
      if (!(error instanceof TerraformApplyError)) throw error;
      // A person deleted in Okta is not a console deletion of our objects: reading back cannot help.
      const missing = missingUsersIn(error.diagnostics);
      if (missing.length > 0) await recordMissingUsers(paths.stateDir, current.stack, missing, people);
      const gone = goneAddresses(error);
      const failedAccounts = [...error.erroredAddresses, ...error.diagnostics.flatMap((diagnostic) => (diagnostic.address ? [diagnostic.address] : []))]
        .map(accountOf)
        .filter((id): id is string => id !== undefined);
      if (gone.length > 0 && attempt === 1) {
        options.log(`${prefix}: ${gone.length} object${gone.length === 1 ? " was" : "s were"} already gone from Okta (deleted in the console?): reading ${gone.length === 1 ? "it" : "them"} back and planning again`);
        await healGone(current.stack, gone, terraform, paths);
        current = await planStack({ id: current.stack, workspaceId: current.workspaceId, shards: current.shards, knownOktaUserIds: {}, accounts: current.accounts }, terraform, paths, {
          refresh: false,
          init: false,
        });
        if (!options.allowDestroy) {
          const refusal = destroyRefusal(current.report, options.limits);
          if (refusal) throw new UsageError(`after reading back what Okta lost, the new plan goes over the destroy guard; nothing more was changed:\n${refusal}`);
        }
        if (!current.report.hasChanges) return 0;
        continue;
      }
      // A failed update may have left Terraform believing in assignments it never made: read those back now.
      const planned = await plannedMembers(current, terraform, paths).catch(() => undefined);
      const check = await verifyAccounts(current.stack, [...new Set([...current.report.accountsToVerify, ...failedAccounts])], terraform, paths, { people, labels, reader, planned, settle: READ_ONCE }).catch(
        () => undefined,
      );
      // The explanation carries every diagnostic: Terraform's error as a cause would only repeat it.
      throw new ExternalError(explainFailure(error.diagnostics, labels, check, people));
    }
  }
}

async function runApply(plan: SavedPlan, applying: ApplyingPlan, terraform: Terraform, paths: SyncPaths, options: ApplyOptions, prefix: string): Promise<void> {
  const total = Object.values(plan.report.counts).reduce((sum, actions) => sum + Object.values(actions).reduce((a, b) => a + (b ?? 0), 0), plan.report.recordChanges ?? 0);
  try {
    options.log(`${prefix}: applying ${total} change${total === 1 ? "" : "s"}`);
    // A first sync can take hours: say how far it got every few seconds.
    const meter = new ProgressMeter({ prefix, step: "applying", log: options.log, total }).start();
    const started = Date.now();
    // A replace completes twice (its delete, then its create) but is one change of the plan's.
    const done = new Set<string>();
    try {
      await terraform.apply(stackDir(paths, plan.stack), applying.file, ({ address }) => {
        if (done.has(address)) return;
        done.add(address);
        meter.count("applied");
      });
    } finally {
      meter.stop();
    }
    options.log(`${prefix}: ${done.size}/${total} applied (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await applying.remove();
  }
}

/** The destroy guard on the plan file itself (`terraform show -json`), not on what was saved beside it. */
async function guardPlanFile(stack: string, file: string, terraform: Terraform, paths: SyncPaths, limits: DestroyLimits): Promise<void> {
  const refusal = destroyRefusal(readPlan(stack, await terraform.showPlan(stackDir(paths, stack), file)), limits);
  if (refusal) throw new UsageError(`the plan file about to be applied goes over the destroy guard; nothing was applied to this stack:\n${refusal}`);
}

async function verifyOrFail(
  plan: SavedPlan,
  accounts: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  context: VerifyContext,
  log: Log,
  prefix: string,
): Promise<number> {
  if (accounts.length === 0) return 0;
  const check = await verifyAccounts(plan.stack, accounts, terraform, paths, context);
  const cost = check.requests !== undefined ? `${check.requests} requests` : "a Terraform refresh, which reads every app and access group of the stack: set Okta credentials (OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY, or OKTA_API_TOKEN) for 2 requests an account";
  const reread = check.rounds > 1 ? `, read ${check.rounds} times while Okta's lists caught up` : "";
  log(
    `${prefix}: checked ${check.accounts} account${check.accounts === 1 ? "" : "s"} against Okta (${check.how}, ${cost}${reread}): ${check.problems.length === 0 ? "as planned" : `${check.problems.length} difference${check.problems.length === 1 ? "" : "s"}`}`,
  );
  if (check.problems.length > 0) {
    const seconds = Math.round(check.windowMs / 1000);
    throw new ExternalError(
      `Terraform reported success, but Okta still differs from the plan after ${seconds} s of reading it again (okta/okta 4.20 does not report every failed membership change, and Okta's lists can lag behind writes):\n` +
        check.problems.map((problem) => `  ${problem}`).join("\n") +
        `\nThe state now records what Okta showed: run \`cerby-okta plan\` and \`apply\` to put it right (if Okta was only slow, that apply changes nothing it need not); check the token's permissions if it happens again.`,
    );
  }
  return check.accounts;
}

/**
 * Okta's answer for an object that is not there, as the provider passes it on:
 * `the API returned an error: Not found: Resource not found: 0oa1 (AppInstance)` (E0000007, HTTP 404).
 */
function saysNotFound(diagnostic: Diagnostic): boolean {
  return /Not found: Resource not found|E0000007|\b404\b/.test(`${diagnostic.summary} ${diagnostic.detail}`);
}

/**
 * The addresses whose change failed because Okta no longer has the object.
 * A diagnostic about a resource being deleted may carry no address (it is no
 * longer in the configuration): then every resource that errored is read back.
 */
function goneAddresses(error: TerraformApplyError): string[] {
  const notFound = error.diagnostics.filter((diagnostic) => saysNotFound(diagnostic) && missingUserOf(diagnostic) === undefined);
  if (notFound.length === 0) return [];
  const addressed = notFound.flatMap((diagnostic) => (diagnostic.address ? [diagnostic.address] : []));
  return [...new Set(addressed.length === notFound.length ? addressed : [...addressed, ...error.erroredAddresses])];
}

/**
 * The user a membership create could not add because Okta has no such user, as the provider reports it:
 * `failed to add user (00u1bob) to group (00g1x): the API returned an error: Not found: Resource not found: 00u1bob (User)`.
 */
function missingUserOf(diagnostic: Diagnostic): string | undefined {
  const text = `${diagnostic.summary} ${diagnostic.detail}`;
  const user = /failed to add user \(([^)\s]+)\) to group/.exec(text)?.[1];
  return user !== undefined && saysNotFound(diagnostic) ? user : undefined;
}

function missingUsersIn(diagnostics: readonly Diagnostic[]): string[] {
  return [...new Set(diagnostics.flatMap((diagnostic) => missingUserOf(diagnostic) ?? []))].sort(compareText);
}

/** Kept in the people record: the next plan leaves these users out (okta-checks.ts does the same before planning). */
async function recordMissingUsers(stateDir: string, stack: string, users: readonly string[], people: ReadonlyMap<string, string>): Promise<void> {
  const record = await readPeopleRecord(stateDir, stack);
  for (const user of users) record.missingUsers[user] = people.get(user) ?? "";
  await writePeopleRecord(stateDir, stack, record);
}

/** Account ID -> the Okta user IDs the plan puts in its access group (to name the right people when an apply fails half-way). */
async function plannedMembers(plan: SavedPlan, terraform: Terraform, paths: SyncPaths): Promise<Map<string, string[]>> {
  const planJson = (await terraform.showPlan(stackDir(paths, plan.stack), planFile(paths, plan.stack))) as {
    resource_changes?: { mode?: string; type?: string; name?: string; index?: unknown; change?: { after?: { users?: unknown } | null } }[];
  };
  const planned = new Map<string, string[]>();
  for (const change of planJson.resource_changes ?? []) {
    if (isResource(change, ACCESS_MEMBERS) && typeof change.index === "string") planned.set(change.index, stringList(change.change?.after?.users));
  }
  return planned;
}

/** Reads the given addresses back from Okta and records what is there (gone objects leave the state). */
async function healGone(stack: string, addresses: readonly string[], terraform: Terraform, paths: SyncPaths): Promise<void> {
  const dir = stackDir(paths, stack);
  const out = path.join(paths.stateDir, "plans", `${stack}.heal.tfplan`);
  await terraform.plan(dir, { out, refresh: true, refreshOnly: true, targets: addresses });
  await terraform.apply(dir, out);
}

/** The account ID in an address such as `okta_app_bookmark.app["a-1"]`. */
function accountOf(address: string): string | undefined {
  for (const resource of MANAGED_RESOURCES) {
    const prefix = resourcePath(resource);
    if (address.startsWith(`${prefix}["`) && address.endsWith(`"]`)) {
      return JSON.parse(`"${address.slice(prefix.length + 2, -2).replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")}"`) as string;
    }
  }
  return undefined;
}

/** Terraform's errors, each with the chiclet it is about and what it most likely means. */
export function explainFailure(diagnostics: readonly Diagnostic[], labels: ReadonlyMap<string, string>, check?: Verification, people: ReadonlyMap<string, string> = new Map()): string {
  const lines = diagnostics.map((diagnostic) => {
    const accountId = diagnostic.address ? accountOf(diagnostic.address) : undefined;
    const about = accountId !== undefined ? `chiclet "${printable(labels.get(accountId) ?? accountId, 70)}" (account ${printable(accountId)}): ` : "";
    const reason = [diagnostic.summary, diagnostic.detail].filter(Boolean).join(": ").replace(/\s+/g, " ").trim();
    const user = missingUserOf(diagnostic);
    const hint =
      user !== undefined
        ? `Okta has no user ${printable(user)}${people.has(user) ? ` (${printable(people.get(user)!)})` : ""}: deleted in Okta, or a wrong oktaUserId. Recorded: the next \`cerby-okta plan\` leaves them out and adds the people after them; set their current oktaUserId in Cerby`
        : hintFor(reason);
    return `  ${about}${hint ? `${hint}\n    Terraform: ${reason}` : reason}`;
  });
  const found = check && check.problems.length > 0 ? `\nRead back from Okta afterwards (now in the state, so the next plan puts it right):\n${check.problems.map((problem) => `  ${problem}`).join("\n")}` : "";
  return `apply failed:\n${lines.sort(compareText).join("\n")}${found}`;
}

function hintFor(reason: string): string | undefined {
  if (/\b401\b|Invalid token|invalid_client|unauthorized/i.test(reason)) return "Okta rejected the credentials (401): check OKTA_API_TOKEN, or the OAuth client and key";
  if (/\b403\b|forbidden|does not have permission/i.test(reason)) {
    return "Okta refused (403): the token's admin or the OAuth app lacks a permission (apps and groups management, users read, policies read; see the README)";
  }
  if (/already exists/i.test(reason)) return "an object with this name already exists in Okta (made outside this state?): `cerby-okta adopt` takes existing objects under management";
  if (/\b429\b|rate limit/i.test(reason)) return "Okta's rate limit held after every retry: run again later, or lower rateLimit.maxApiCapacity";
  if (/\b404\b/.test(reason)) return "already gone from Okta (an app or group deleted in the console?)";
  return undefined;
}

/**
 * `apply --expect-digest`: applies only plans that are exactly those reviewed.
 * A stack with changes must have been reviewed with the same plan digest;
 * otherwise (the main branch, the state or Okta changed since the review, or
 * the stack was not in it) the whole apply is refused, naming each stack.
 */
export function refuseUnreviewed(plans: readonly SavedPlan[], expected: ReadonlyMap<string, string>): void {
  const problems: string[] = [];
  for (const plan of plans) {
    if (!plan.report.hasChanges) continue;
    const reviewed = expected.get(plan.stack);
    if (reviewed === undefined) problems.push(`  ${plan.stack}: has changes (${plan.report.digest}) but no reviewed plan digest was given for it`);
    else if (reviewed !== plan.report.digest) problems.push(`  ${plan.stack}: the plan is ${plan.report.digest}, the review showed ${reviewed}`);
  }
  if (problems.length === 0) return;
  throw new UsageError(
    `apply refused, nothing was changed: these plans are not the ones reviewed:\n${problems.join("\n")}\n` +
      "The workspaces on this branch, the state or Okta changed since the review. Review again (push to the pull request, or `cerby-okta review`), " +
      "or let the scheduled reconcile apply the change.",
  );
}

/** `stack=sha256:...` arguments of `--expect-digest`, by stack. */
export function parseExpectedDigests(values: readonly string[]): Map<string, string> {
  const expected = new Map<string, string>();
  for (const value of values) {
    const match = /^([A-Za-z0-9][A-Za-z0-9_-]*)=(sha256:[0-9a-f]{64})$/.exec(value);
    if (!match) throw new UsageError(`--expect-digest ${JSON.stringify(value)}: expected <stack>=sha256:<64 hex digits>, as a review comment prints it`);
    expected.set(match[1]!, match[2]!);
  }
  return expected;
}
