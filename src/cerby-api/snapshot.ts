// `cerby-okta snapshot`: read a whole workspace from the Cerby API and write it
// as one format-v1 JSON file. Nothing is written unless every page arrived,
// the result validates, and it did not lose too many accounts or too much access.
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ExternalError, UsageError } from "../errors.ts";
import { WorkspaceFileSchema, WorkspaceSettingsSchema, type Account, type Grant, type Team, type User, type WorkspaceFile, type WorkspaceSettings } from "../workspace/schema.ts";
import { CerbyClient, settleAll } from "./client.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { formatDuration, type Clock } from "../http/http-client.ts";
import {
  mapAccount,
  mapAccountTeam,
  mapAccountUser,
  mapTeam,
  mapTeamMember,
  mapUser,
  readWorkspaceCounts,
  routes,
  type WorkspaceCounts,
  type CerbyAccount,
  type CerbyTeam,
  type CerbyTeamGrant,
  type CerbyUser,
  type CerbyUserGrant,
} from "./mapping.ts";
import { Progress } from "../http/progress.ts";
import { checkSnapshotLoss, coverageLines } from "./loss-guard.ts";
import { compareText } from "../text/printable.ts";

/** Workspace settings given on the command line. */
export interface SettingsFlags {
  readonly workspaceId?: string;
  readonly workspaceName?: string;
  readonly oktaOrg?: string;
  readonly oktaBaseUrl?: string;
  readonly extendedAccountAccess?: boolean;
  readonly loginUrl?: string;
}

export interface SnapshotOptions {
  /** Target file, e.g. workspaces/acme/snapshot.json. */
  readonly out: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Fallback workspace ID: the `--workspace` subdomain. */
  readonly workspace?: string;
  readonly settings: SettingsFlags;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly maxWaitMs: number;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  /** Pages read per route at most. */
  readonly maxPages: number;
  /** Largest tolerated share of previously known accounts, or of people's access to them, missing from the new snapshot, 0..1. */
  readonly maxAccountLoss: number;
  readonly force: boolean;
  /** Write a snapshot that lost accounts or access (not an unreadable previous one: that is `force`). */
  readonly allowShrink?: boolean;
}

export interface SnapshotDeps {
  readonly clock: Clock;
  readonly stderr: (text: string) => void;
  readonly progress: boolean;
  readonly fetch?: typeof fetch;
}

export interface SnapshotResult {
  readonly written: boolean;
  readonly file: WorkspaceFile;
  readonly text: string;
}

export async function runSnapshot(options: SnapshotOptions, deps: SnapshotDeps): Promise<SnapshotResult> {
  const out = resolve(options.out);
  const previous = await readPreviousSnapshot(out, options.force);
  const { settings, settingsFile, listFiles } = await resolveSettings(out, options, previous);
  if (listFiles.length > 0) {
    deps.stderr(
      `snapshot: warning: ${listFiles.join(", ")} in the same folder also hold users, teams or accounts; ` +
        `their lists are concatenated with the snapshot's, so an entry in both is a duplicate\n`,
    );
  }
  if (settings && settings.extendedAccountAccess !== true) {
    deps.stderr(
      `snapshot: warning: extendedAccountAccess is not on for workspace ${settings.id}: nothing will sync (R1); ` +
        `pass --extended-account-access to turn it on\n`,
    );
  }

  const progress = new Progress({ write: deps.stderr, clock: deps.clock, enabled: deps.progress, label: "snapshot" });
  const client = new CerbyClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    clock: progress.tickingClock(),
    policy: { maxTotalWaitMs: options.maxWaitMs, maxRetries: options.maxRetries, requestTimeoutMs: options.timeoutMs },
    maxPages: options.maxPages,
    unknownHostHint: "check --workspace or --base-url",
    onWait: (event) => progress.waiting(event),
    onPage: (route, _page, items) => {
      progress.count("pages");
      if (route === routes.accounts()) progress.count("accounts", items);
    },
    fetch: deps.fetch,
  });

  const fetched = await fetchWorkspace(client);
  const file = buildSnapshot(fetched, settings, previous);
  const text = serializeSnapshot(file);
  for (const line of coverageLines(previous, file, fetched.counts)) deps.stderr(`snapshot: ${line}\n`);
  checkSnapshotLoss(previous, file, { ...options, force: options.force || options.allowShrink === true }, fetched.counts);
  if (options.apiKey.length >= 6 && text.includes(options.apiKey)) {
    // A server echoing the key into a name or an email must not get it into a file that is committed.
    throw new ExternalError(`the Cerby API's answers hold the API key itself (in a name, an email or an ID); nothing was written`);
  }

  const previousText = await readFile(out, "utf8").catch(() => undefined);
  const summary =
    `${file.users?.length ?? 0} users, ${file.teams?.length ?? 0} teams, ${file.accounts?.length ?? 0} accounts ` +
    `(${client.http.requests} requests${client.http.totalWaitMs > 0 ? `, waited ${formatDuration(client.http.totalWaitMs)}` : ""})`;
  progress.done("all pages read");
  if (previousText === text) {
    deps.stderr(`snapshot: ${options.out} is unchanged: ${summary}\n`);
    return { written: false, file, text };
  }
  await writeFileAtomic(out, text);
  deps.stderr(
    `snapshot: wrote ${options.out}: ${summary}` +
      (settingsFile ? `; workspace settings stay in ${basename(settingsFile)}` : "") +
      "\n",
  );
  return { written: true, file, text };
}

// ---------------------------------------------------------------- fetching

export interface FetchedWorkspace {
  readonly users: readonly CerbyUser[];
  readonly teams: readonly CerbyTeam[];
  readonly members: ReadonlyMap<string, readonly string[]>;
  readonly accounts: readonly CerbyAccount[];
  readonly userGrants: ReadonlyMap<string, readonly CerbyUserGrant[]>;
  readonly teamGrants: ReadonlyMap<string, readonly CerbyTeamGrant[]>;
  /** The workspace's own counts; undefined when the API gives none. */
  readonly counts?: WorkspaceCounts;
}

export async function fetchWorkspace(client: CerbyClient): Promise<FetchedWorkspace> {
  const http = client.http;
  const [users, teams, accounts, counts] = await settleAll(http, [
    client.listAll(routes.users(), mapUser),
    client.listAll(routes.teams(), mapTeam),
    client.listAll(routes.accounts(), mapAccount),
    client.getOptional(routes.workspace()).then((body) => (body === undefined ? undefined : readWorkspaceCounts(body, { route: routes.workspace(), page: 1 }))),
  ] as Promise<unknown>[]) as [CerbyUser[], CerbyTeam[], CerbyAccount[], WorkspaceCounts | undefined];
  const [members, userGrants, teamGrants] = await settleAll(http, [
    settleAll(http, teams.map((team) => client.listAll(routes.teamMembers(team.id), mapTeamMember))),
    settleAll(http, accounts.map((account) => client.listAll(routes.accountUsers(account.id), mapAccountUser))),
    settleAll(http, accounts.map((account) => client.listAll(routes.accountTeams(account.id), mapAccountTeam))),
  ] as Promise<unknown[][]>[]) as [string[][], CerbyUserGrant[][], CerbyTeamGrant[][]];
  return {
    users,
    teams,
    accounts,
    members: new Map(teams.map((team, i) => [team.id, members[i]!])),
    userGrants: new Map(accounts.map((account, i) => [account.id, userGrants[i]!])),
    teamGrants: new Map(accounts.map((account, i) => [account.id, teamGrants[i]!])),
    ...(counts !== undefined ? { counts } : {}),
  };
}

// ---------------------------------------------------------------- building

const byId = <T extends { id: string }>(a: T, b: T) => compareText(a.id, b.id);

/**
 * The format-v1 file for a fetched workspace: every list sorted by ID, keys in
 * a fixed order, so the same workspace always gives the same bytes. Okta facts
 * the Cerby API does not know (oktaStatus, and oktaUserId when absent) are
 * carried over from the previous snapshot.
 */
export function buildSnapshot(
  fetched: FetchedWorkspace,
  settings: WorkspaceSettings | undefined,
  previous: WorkspaceFile | undefined,
): WorkspaceFile {
  const previousUsers = new Map((previous?.users ?? []).map((user) => [user.id, user]));
  const userIds = new Set(fetched.users.map((user) => user.id));
  const teamIds = new Set(fetched.teams.map((team) => team.id));
  const problems: string[] = [];

  const users: User[] = fetched.users
    .map((user) => {
      const before = previousUsers.get(user.id);
      const oktaUserId = user.oktaUserId ?? before?.oktaUserId;
      return {
        id: user.id,
        email: user.email,
        ...(oktaUserId ? { oktaUserId } : {}),
        workspaceRole: user.workspaceRole,
        ...(before?.oktaStatus ? { oktaStatus: before.oktaStatus } : {}),
      };
    })
    .sort(byId);

  const teams: Team[] = fetched.teams
    .map((team) => {
      const members = [...new Set(fetched.members.get(team.id) ?? [])].sort(compareText);
      for (const member of members) {
        if (!userIds.has(member)) problems.push(`team ${team.id} (GET ${routes.teamMembers(team.id)}) lists user ${member}, who is not in GET /users`);
      }
      return { id: team.id, name: team.name, ...(team.oktaGroupId ? { oktaGroupId: team.oktaGroupId } : {}), members };
    })
    .sort(byId);

  const accounts: Account[] = fetched.accounts
    .map((account) => {
      const grants: Grant[] = [];
      const seen = new Set<string>();
      for (const grant of fetched.userGrants.get(account.id) ?? []) {
        if (!userIds.has(grant.userId)) problems.push(`account ${account.id} (GET ${routes.accountUsers(account.id)}) grants a role to user ${grant.userId}, who is not in GET /users`);
        const key = `user\0${grant.userId}\0${grant.role}`;
        if (!seen.has(key)) grants.push({ user: grant.userId, role: grant.role });
        seen.add(key);
      }
      for (const grant of fetched.teamGrants.get(account.id) ?? []) {
        if (!teamIds.has(grant.teamId)) problems.push(`account ${account.id} (GET ${routes.accountTeams(account.id)}) grants a role to team ${grant.teamId}, which is not in GET /teams`);
        const key = `team\0${grant.teamId}\0${grant.role}`;
        if (!seen.has(key)) grants.push({ team: grant.teamId, role: grant.role });
        seen.add(key);
      }
      grants.sort(
        (a, b) =>
          Number(a.user === undefined) - Number(b.user === undefined) ||
          compareText(a.user ?? a.team ?? "", b.user ?? b.team ?? "") ||
          compareText(a.role, b.role),
      );
      return {
        id: account.id,
        name: account.name,
        app: account.app,
        grants,
        ...(account.okta ? { okta: { extendedBy: account.okta.extendedBy, extendedAt: account.okta.extendedAt } } : {}),
      };
    })
    .sort(byId);

  const file: WorkspaceFile = { version: 1, ...(settings ? { workspace: settings } : {}), users, teams, accounts };
  const parsed = WorkspaceFileSchema.safeParse(file);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${describePath(file, issue.path)}: ${issue.message}`);
    }
  }
  if (problems.length > 0) {
    throw new ExternalError(
      `the Cerby API answered with data that does not make a valid workspace (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was written:\n` +
        problems.slice(0, 50).map((problem) => `  ${problem}`).join("\n") +
        (problems.length > 50 ? `\n  ... and ${problems.length - 50} more` : ""),
    );
  }
  return file;
}

/** `accounts[3].grants[0].role` plus the item's ID, which says more than a position. */
function describePath(file: WorkspaceFile, path: readonly PropertyKey[]): string {
  let text = "";
  let node: unknown = file;
  for (const key of path) {
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
    if (typeof key === "number") {
      const id = (node as { id?: unknown } | undefined)?.id;
      text += typeof id === "string" ? `[${key} id=${id}]` : `[${key}]`;
    } else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text;
}

export function serializeSnapshot(file: WorkspaceFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

// ---------------------------------------------------------------- safety

async function readPreviousSnapshot(out: string, force: boolean): Promise<WorkspaceFile | undefined> {
  let text: string;
  try {
    text = await readFile(out, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ExternalError(`cannot read the existing snapshot ${out}: ${(error as Error).message}`);
  }
  try {
    const parsed = WorkspaceFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  } catch (error) {
    if (force) return undefined;
    throw new UsageError(
      `the existing snapshot ${out} is not a valid format-v1 file (${(error as Error).message}), so lost accounts and access ` +
        `cannot be counted; fix or remove it, or pass --force to replace it`,
    );
  }
}

// ---------------------------------------------------------------- settings

const WORKSPACE_FILE_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * Where the `workspace:` block comes from. A workspace folder has exactly one
 * file holding it: if another file of the target folder (a hand-kept
 * workspace.yaml) holds it, the snapshot holds only lists and the settings
 * stay in that file. Otherwise the snapshot holds the block, built from flags,
 * falling back field by field to the previous snapshot.
 */
export async function resolveSettings(
  out: string,
  options: Pick<SnapshotOptions, "settings" | "workspace">,
  previous: WorkspaceFile | undefined,
): Promise<{ settings?: WorkspaceSettings; settingsFile?: string; listFiles: string[] }> {
  const flags = options.settings;
  const listFiles: string[] = [];
  let settingsFile: string | undefined;
  const dir = dirname(out);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new UsageError(`the folder of --out does not exist: ${dir}`);
    throw error;
  });
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (path === out || !WORKSPACE_FILE_EXTENSIONS.has(extname(name).toLowerCase())) continue;
    let content: unknown;
    try {
      content = parseYaml(await readFile(path, "utf8"));
    } catch {
      continue; // Not ours to judge here; `validate` reports broken files.
    }
    if (typeof content !== "object" || content === null) continue;
    if (["users", "teams", "accounts"].some((key) => key in content)) listFiles.push(name);
    if ("workspace" in content && settingsFile === undefined) {
      const given = Object.entries(flags).filter(([, value]) => value !== undefined).map(([key]) => key);
      if (given.length > 0) {
        throw new UsageError(
          `${path} holds the workspace settings, so the snapshot does not; change them there instead of passing ` +
            given.map(flagName).join(", "),
        );
      }
      settingsFile = path;
    }
  }
  if (settingsFile) return { settingsFile, listFiles };

  const before = previous?.workspace;
  const id = flags.workspaceId ?? before?.id ?? options.workspace;
  const orgName = flags.oktaOrg ?? before?.okta.orgName;
  const baseUrl = flags.oktaBaseUrl ?? before?.okta.baseUrl;
  const missing = [
    id === undefined ? "--workspace-id" : undefined,
    orgName === undefined ? "--okta-org" : undefined,
    baseUrl === undefined ? "--okta-base-url" : undefined,
  ].filter((flag) => flag !== undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `the workspace settings are incomplete: pass ${missing.join(", ")} (needed once: later runs reuse them from ` +
        `the snapshot), or keep them in a workspace.yaml beside ${basename(out)}`,
    );
  }
  const extendedAccountAccess = flags.extendedAccountAccess ?? before?.extendedAccountAccess;
  const loginUrl = flags.loginUrl ?? before?.loginUrl;
  const settings = {
    id,
    name: flags.workspaceName ?? before?.name ?? id,
    ...(extendedAccountAccess !== undefined ? { extendedAccountAccess } : {}),
    okta: { orgName, baseUrl },
    ...(loginUrl !== undefined ? { loginUrl } : {}),
  };
  const parsed = WorkspaceSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new UsageError(
      `invalid workspace settings: ` +
        parsed.error.issues.map((issue) => `${settingFlag(issue.path)}: ${issue.message}`).join("; "),
    );
  }
  return { settings: parsed.data, listFiles };
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function settingFlag(path: readonly PropertyKey[]): string {
  const key = path.join(".");
  const flags: Record<string, string> = {
    id: "--workspace-id",
    name: "--workspace-name",
    "okta.orgName": "--okta-org",
    "okta.baseUrl": "--okta-base-url",
    loginUrl: "--login-url",
  };
  return flags[key] ?? key;
}
