// `cerby-okta deprovision <folder>`: R7, the one flow from Okta back to Cerby.
// Reads every workspace user's status in Okta; SUSPENDED and DEPROVISIONED
// users are removed from the workspace: through the Cerby API for users kept
// in a JSON snapshot, by editing the YAML for users kept by hand. Dry run
// unless `apply`.
import type { OktaCredentials } from "../okta-api/credentials.ts";
import { basename } from "node:path";
import { CerbyClient, settleAll } from "../cerby-api/client.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import type { Clock, RetryPolicy } from "../http/http-client.ts";
import { Progress } from "../http/progress.ts";
import { serializeSnapshot } from "../cerby-api/snapshot.ts";
import { ExternalError, UsageError } from "../errors.ts";
import { LIFECYCLE_EVENT_STATUS, OktaClient, oktaOrgUrl, type LogPoll, type OktaStatus, type OktaUser } from "../okta-api/client.ts";
import { cursorFile, readCursor, writeCursor, type LogCursor } from "./log-cursor.ts";
import type { WorkspaceFile } from "../workspace/schema.ts";
import { desiredWorkspaceOf, readWorkspaceFolder, type FolderWorkspace, type SourceFile } from "./folder.ts";
import { chicletsSeenBy, planRemovals, type Removal } from "./plan.ts";
import { removeUsersFromYaml } from "./yaml-edit.ts";
import { compareText } from "../text/printable.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";

export interface DeprovisionOptions {
  readonly dir: string;
  readonly apply: boolean;
  /** Print the report as JSON on stdout (the text report goes to stderr). */
  readonly json: boolean;
  /** Also write the JSON report to this file. */
  readonly jsonFile?: string;
  /** Overrides `https://<orgName>.<baseUrl>` from the workspace. */
  readonly oktaUrl?: string;
  /** Where `oktaUrl` came from, for messages: `--okta-url` or `CERBY_OKTA_OKTA_URL`. */
  readonly oktaUrlFrom?: string;
  /** The project's workspaces folder: when `dir` is one of its folders, labels are numbered with its other workspaces (R4). */
  readonly workspacesDir?: string;
  /** From the environment (src/okta-api/credentials.ts); read only once the folder has been read, the order a user fixes things in. */
  readonly oktaCredentials: () => OktaCredentials | undefined;
  /** Where the System Log cursor is kept; without it every run reads every user. */
  readonly stateDir?: string;
  /** Read every user even when a System Log cursor could be polled. */
  readonly full?: boolean;
  /** Needed only to apply removals of users kept in a snapshot. */
  readonly cerby?: { readonly baseUrl: string; readonly apiKey: string };
  readonly concurrency: number;
  readonly policy: Partial<RetryPolicy>;
}

export interface DeprovisionDeps {
  readonly clock: Clock;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: boolean;
  readonly fetch?: typeof fetch;
}

export interface DeprovisionReport {
  readonly workspaceId?: string;
  readonly checked: number;
  /** How statuses were read: every user one by one (`fullBecause` says why), or the System Log since the last applied run. */
  readonly via: { readonly systemLog: false; readonly fullBecause: string } | { readonly systemLog: true; readonly since: string; readonly requests: number; readonly newUsers: number };
  readonly removals: readonly Removal[];
  /**
   * Users Okta does not know (404, or no user with that login): left in the
   * workspace, since a typo must not remove anyone, and reported with the
   * chiclets that wait for them (`cerby-okta plan` leaves them out).
   */
  readonly notFound: readonly { userId: string; email: string; oktaUserId?: string; chiclets: readonly string[] }[];
  /** Other workspace files of the project that could not be read: labels are numbered without them. */
  readonly unreadWorkspaces: readonly string[];
  readonly applied: boolean;
  /** Files rewritten with --apply. */
  readonly filesWritten: readonly string[];
  /** Users deleted through the Cerby API with --apply. */
  readonly deletedInCerby: readonly string[];
}

export async function runDeprovision(options: DeprovisionOptions, deps: DeprovisionDeps): Promise<DeprovisionReport> {
  const workspace = await readWorkspaceFolder(options.dir);
  const oktaUrl = options.oktaUrl ?? (workspace.settings ? oktaOrgUrl(workspace.settings.okta) : undefined);
  if (!oktaUrl) {
    throw new UsageError(`no file in ${options.dir} holds the \`workspace:\` block with the Okta org; pass --okta-url`);
  }
  const credentials = options.oktaCredentials();
  if (!credentials) {
    throw new UsageError(
      "no Okta credentials are set: they are read only from the environment. Export OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY and OKTA_API_SCOPES (an API service app granted okta.users.read and okta.logs.read), or OKTA_API_TOKEN",
    );
  }

  const progress = new Progress({ write: deps.stderr, clock: deps.clock, enabled: deps.progress, label: "deprovision" });
  const okta = new OktaClient({
    baseUrl: oktaUrl,
    credentials,
    maxApiCapacity: workspace.settings?.okta.rateLimit?.maxApiCapacity ?? DEFAULT_RATE_LIMIT.maxApiCapacity,
    concurrency: options.concurrency,
    clock: progress.tickingClock(),
    policy: options.policy,
    onWait: (event) => progress.waiting(event),
    unknownHostHint: oktaHostHint(workspace, options.oktaUrl === undefined ? undefined : (options.oktaUrlFrom ?? "--okta-url")),
    fetch: deps.fetch,
  });
  const startedAt = new Date();
  const cursorAt = options.stateDir !== undefined && workspace.settings ? cursorFile(options.stateDir, workspace.settings.id) : undefined;
  const saved =
    options.full === true
      ? { fullBecause: "--full" }
      : cursorAt === undefined
        ? { fullBecause: "no state folder to keep a System Log cursor in" }
        : await readCursor(cursorAt, new URL(oktaUrl).origin, startedAt.getTime());
  const polled = "cursor" in saved ? await okta.pollSystemLog(saved.cursor.next) : undefined;
  // A cursor Okta refuses (400: too old for its log, or malformed) must not fail every run: read every user and start anew.
  const known = polled !== undefined && "refused" in polled ? { fullBecause: `Okta refused the System Log cursor (${polled.refused})` } : saved;
  const poll = polled !== undefined && !("refused" in polled) ? polled : undefined;
  const { statuses, notFound: unknownToOkta, lookedUp } = await readStatuses(okta, workspace, "cursor" in known ? { cursor: known.cursor, poll: poll! } : undefined, progress);
  const { desired, unread } = await desiredWorkspaceOf(workspace, options.workspacesDir);
  const removals = planRemovals(workspace, statuses, desired ?? { chiclets: [] });
  // Who waits for those Okta does not know: their chiclets as the desired state labels them.
  const teams = workspace.teams.map((team) => team.value);
  const notFound = unknownToOkta.map((user) => ({ ...user, chiclets: chicletsSeenBy(desired ?? { chiclets: [] }, teams, user.userId).map((chiclet) => chiclet.label).sort(compareText) }));

  const viaApi = removals.filter((removal) => removal.via === "cerby-api");
  if (options.apply && viaApi.length > 0 && !options.cerby) {
    throw new UsageError(
      `${viaApi.map((removal) => removal.userId).join(", ")} ${viaApi.length === 1 ? "is" : "are"} kept in a Cerby API snapshot, so ` +
        `removing them needs the Cerby API: set CERBY_API_KEY and pass --workspace or --base-url`,
    );
  }

  let filesWritten: string[] = [];
  const deletedInCerby: string[] = [];
  const failures: string[] = [];
  if (options.apply && (removals.length > 0 || statuses.size > 0)) {
    filesWritten = await rewriteFiles(workspace, statuses, removals);
    if (viaApi.length > 0) {
      const cerby = new CerbyClient({
        ...options.cerby!,
        concurrency: options.concurrency,
        clock: progress.tickingClock(),
        policy: options.policy,
        onWait: (event) => progress.waiting(event),
        unknownHostHint: "check --workspace or --base-url",
        fetch: deps.fetch,
      });
      // One failed DELETE must not stop the others: each is independent, and statuses are already recorded.
      const results = await Promise.allSettled(viaApi.map((removal) => cerby.deleteWorkspaceUser(removal.userId)));
      results.forEach((result, i) => {
        if (result.status === "fulfilled") deletedInCerby.push(viaApi[i]!.userId);
        else failures.push(`${viaApi[i]!.userId}: ${(result.reason as Error).message}`);
      });
    }
  }

  const report: DeprovisionReport = {
    workspaceId: workspace.settings?.id,
    checked: workspace.users.length,
    via:
      "cursor" in known
        ? { systemLog: true, since: known.cursor.savedAt, requests: poll!.pages, newUsers: lookedUp }
        : { systemLog: false, fullBecause: known.fullBecause },
    removals,
    notFound,
    unreadWorkspaces: unread,
    applied: options.apply,
    filesWritten: filesWritten.map((path) => basename(path)),
    deletedInCerby,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  (options.json ? deps.stderr : deps.stdout)(formatReport(report, options.dir));
  if (options.json) deps.stdout(json);
  if (options.jsonFile !== undefined) await writeFileAtomic(options.jsonFile, json);
  // Only a run that acted moves the cursor: a dry run, or one whose removals failed, leaves the events to the next run.
  if (options.apply && failures.length === 0 && cursorAt !== undefined) {
    await writeCursor(cursorAt, {
      version: 1,
      okta: new URL(oktaUrl).origin,
      // A full scan starts the log where it started, less a margin for events Okta records late: reading one twice changes nothing.
      next: poll?.next ?? okta.lifecyclePollStart(new Date(startedAt.getTime() - LOG_MARGIN_MS)),
      savedAt: startedAt.toISOString(),
      // Users Okta did not know are left out, so that every run reads them again and reports them until their entry is fixed.
      users: workspace.users
        .map(({ value }) => value.id)
        .filter((id) => !removals.some((removal) => removal.userId === id) && !notFound.some((user) => user.userId === id)),
    });
  }
  if (failures.length > 0) {
    throw new ExternalError(
      `${failures.length} user${failures.length === 1 ? "" : "s"} could not be removed through the Cerby API ` +
        `(their Okta status is recorded in the snapshot, so they see no chiclet meanwhile):\n` +
        failures.map((failure) => `  ${failure}`).join("\n"),
    );
  }
  return report;
}

/**
 * Every user's Okta status that this run learns: with a cursor, from the
 * System Log's poll since it (one request per page) and, for users new since,
 * one `GET /api/v1/users/{id}` each; without, a GET for every user. Users
 * read one by one and unknown to Okta (404) are `notFound`.
 */
async function readStatuses(okta: OktaClient, workspace: FolderWorkspace, log: { cursor: LogCursor; poll: LogPoll } | undefined, progress: Progress) {
  const poll = log?.poll;
  const earlier = log ? new Set(log.cursor.users) : undefined;
  const lookedUp = workspace.users.filter(({ value }) => earlier === undefined || !earlier.has(value.id));
  const usersChecked = `of ${lookedUp.length} user${lookedUp.length === 1 ? "" : "s"} checked`;
  const found = await settleAll(
    okta.http,
    lookedUp.map(async ({ value: user }) => {
      const oktaUser = await okta.getUser(user.oktaUserId ?? user.email);
      progress.count(usersChecked);
      return [user.id, oktaUser] as const;
    }),
  );
  const oktaUsers = new Map<string, OktaUser | undefined>(found);
  const statuses = new Map([...oktaUsers].flatMap(([id, user]) => (user ? [[id, user.status as string] as const] : [])));
  // A user read one by one is read now: their answer is newer than any event.
  if (poll) for (const [id, status] of statusesFromLog(workspace, poll)) if (!oktaUsers.has(id)) statuses.set(id, status);
  const notFound = lookedUp
    .filter(({ value }) => oktaUsers.get(value.id) === undefined)
    .map(({ value }) => ({ userId: value.id, email: value.email, ...(value.oktaUserId !== undefined ? { oktaUserId: value.oktaUserId } : {}) }))
    .sort((a, b) => compareText(a.userId, b.userId));
  return { statuses, notFound, lookedUp: lookedUp.length };
}

/** How far before a full scan its System Log cursor starts: Okta may publish an event a little after the change. */
const LOG_MARGIN_MS = 5 * 60_000;

/** The status each workspace user's last lifecycle event leaves them in, matched by Okta ID, else by login (the email). */
function statusesFromLog(workspace: FolderWorkspace, poll: LogPoll): Map<string, OktaStatus> {
  const byKey = new Map<string, string>();
  for (const { value } of workspace.users) {
    byKey.set(`login:${value.email.toLowerCase()}`, value.id);
    if (value.oktaUserId !== undefined) byKey.set(`id:${value.oktaUserId}`, value.id);
  }
  const statuses = new Map<string, OktaStatus>();
  for (const event of poll.events) {
    const status = LIFECYCLE_EVENT_STATUS[event.eventType];
    if (status === undefined) continue;
    for (const user of event.users) {
      const id = byKey.get(`id:${user.id}`) ?? byKey.get(`login:${user.login.toLowerCase()}`);
      if (id !== undefined) statuses.set(id, status);
    }
  }
  return statuses;
}

/** What to say when the Okta host does not exist: where its name came from, and how to point elsewhere. */
function oktaHostHint(workspace: FolderWorkspace, oktaUrlFrom: string | undefined): string {
  if (oktaUrlFrom !== undefined) return `check ${oktaUrlFrom}`;
  const file = workspace.files.find((candidate) => candidate.data.workspace !== undefined);
  const okta = workspace.settings?.okta;
  return (
    `the host is built from workspace.okta (orgName ${JSON.stringify(okta?.orgName)}, baseUrl ${JSON.stringify(okta?.baseUrl)})` +
    `${file ? ` in ${file.name}` : ""}; to reach another Okta, such as the local sandbox's emulator, ` +
    `pass --okta-url or set CERBY_OKTA_OKTA_URL (e.g. --okta-url http://127.0.0.1:8787)`
  );
}

/**
 * New content for every file that changes, computed for all files before any
 * is written: YAML files lose the removed users' entries, grants and
 * memberships (text spliced, comments kept); JSON snapshots record every
 * user's Okta status and lose references to users removed from YAML.
 */
async function rewriteFiles(workspace: FolderWorkspace, statuses: ReadonlyMap<string, string>, removals: readonly Removal[]): Promise<string[]> {
  const yamlRemovals = new Set(removals.filter((removal) => removal.via === "yaml").map((removal) => removal.userId));
  const changes: { file: SourceFile; text: string }[] = [];
  for (const file of workspace.files) {
    const text =
      file.kind === "yaml"
        ? yamlRemovals.size > 0
          ? removeUsersFromYaml(file.text, yamlRemovals, file.path).text
          : file.text
        : serializeSnapshot(editJsonFile(file.data, statuses, yamlRemovals));
    if (text !== file.text) changes.push({ file, text });
  }
  for (const change of changes) await writeFileAtomic(change.file.path, change.text);
  return changes.map((change) => change.file.path);
}

/** A JSON file in the snapshot's canonical form, with statuses recorded and removed users' references gone. */
export function editJsonFile(data: WorkspaceFile, statuses: ReadonlyMap<string, string>, removed: ReadonlySet<string>): WorkspaceFile {
  const edited: WorkspaceFile = { ...data };
  if (data.users) {
    edited.users = data.users
      .filter((user) => !removed.has(user.id))
      .map((user) => {
        const status = statuses.get(user.id) as typeof user.oktaStatus;
        const { oktaStatus: _old, ...rest } = user;
        return { ...rest, ...((status ?? user.oktaStatus) ? { oktaStatus: status ?? user.oktaStatus } : {}) };
      });
  }
  if (data.teams) {
    edited.teams = data.teams.map((team) => (team.members ? { ...team, members: team.members.filter((id) => !removed.has(id)) } : team));
  }
  if (data.accounts) {
    edited.accounts = data.accounts.map((account) =>
      account.grants ? { ...account, grants: account.grants.filter((grant) => grant.user === undefined || !removed.has(grant.user)) } : account,
    );
  }
  return edited;
}

export function formatReport(report: DeprovisionReport, dir: string): string {
  const lines: string[] = [];
  const name = report.workspaceId ? `workspace ${report.workspaceId} (${dir})` : dir;
  const verb = report.applied ? "Removed" : "Would remove";
  lines.push(
    `${report.checked} user${report.checked === 1 ? "" : "s"} of ${name} checked in Okta: ` +
      `${report.removals.length} to remove from the Cerby workspace.`,
    report.via.systemLog
      ? `Read from Okta's System Log since ${report.via.since} (${report.via.requests} request${report.via.requests === 1 ? "" : "s"})` +
          `${report.via.newUsers > 0 ? `, and ${report.via.newUsers} user${report.via.newUsers === 1 ? "" : "s"} one by one (new since then, or not found in Okta then)` : ""}; --full reads every user.`
      : `Read every user from Okta, one request each: ${report.via.fullBecause}.`,
  );
  for (const removal of report.removals) {
    const how = removal.via === "yaml" ? `from ${removal.file}` : `through the Cerby API (kept in ${removal.file})`;
    lines.push(`${verb} ${removal.userId} (${removal.email}), ${removal.oktaStatus} in Okta, ${how}`);
    lines.push(
      removal.alreadyHidden
        ? `  loses no chiclet: oktaStatus ${removal.alreadyHidden} is already recorded in the workspace, so Okta shows them none today`
        : removal.chiclets.length === 0
          ? `  loses no chiclet`
          : `  loses ${removal.chiclets.length} chiclet${removal.chiclets.length === 1 ? "" : "s"}: ${removal.chiclets.map((label) => JSON.stringify(label)).join(", ")}`,
    );
    if (removal.grants.length > 0) lines.push(`  grants on: ${removal.grants.join(", ")}`);
    if (removal.teams.length > 0) lines.push(`  member of: ${removal.teams.join(", ")}`);
    if (removal.extended.length > 0) {
      lines.push(`  extended ${removal.extended.join(", ")}: give ${removal.extended.length === 1 ? "it" : "them"} a new okta.extendedBy, or ${removal.extended.length === 1 ? "it is" : "they are"} rejected`);
    }
  }
  for (const user of report.notFound) {
    const asked = user.oktaUserId !== undefined ? `Okta has no user ${user.oktaUserId}` : `Okta has no user with the login ${user.email}`;
    lines.push(`Not found in Okta, left alone: ${user.userId} (${user.email}): ${asked} (deleted in Okta, or a wrong ${user.oktaUserId !== undefined ? "oktaUserId" : "email"})`);
    lines.push(
      user.chiclets.length === 0
        ? `  sees no chiclet; remove them from the Cerby workspace if they left`
        : `  ${user.chiclets.length} chiclet${user.chiclets.length === 1 ? " waits" : "s wait"} for them (cerby-okta plan leaves them out): ${user.chiclets.map((label) => JSON.stringify(label)).join(", ")}; ` +
            `remove them from the Cerby workspace if they left, or set their current ${user.oktaUserId !== undefined ? "oktaUserId" : "email"}`,
    );
  }
  if (report.unreadWorkspaces.length > 0) {
    lines.push(`Chiclet labels are numbered without ${report.unreadWorkspaces.join(", ")}, which could not be read (run validate): a number may be off`);
  }
  if (!report.applied) {
    lines.push(report.removals.length > 0 ? "Dry run: nothing changed. Run again with --apply to remove them." : "Nothing to do.");
    if (!report.via.systemLog && report.via.fullBecause !== "no state folder to keep a System Log cursor in") {
      lines.push("A dry run keeps no System Log cursor: only --apply starts one, so that no event is skipped before it is acted on.");
    }
  } else {
    for (const file of report.filesWritten) lines.push(`Rewrote ${file}`);
    for (const id of report.deletedInCerby) lines.push(`Deleted ${id} from the Cerby workspace`);
  }
  return `${lines.join("\n")}\n`;
}
