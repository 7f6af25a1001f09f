// Generates workspace folders for the watch tests and benchmark: one settings
// file with users and teams, and the accounts split over several files.
import { mkdtempSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A JSON workspace document (docs/workspace-format.md) as end-to-end tests write it by hand. */
export interface WorkspaceDocument {
  version: 1;
  workspace: Record<string, unknown>;
  users: { id: string; email: string; oktaUserId?: string; workspaceRole: string }[];
  teams: { id: string; name: string; oktaGroupId?: string; members?: string[] }[];
  accounts: { id: string; name: string; app: string; grants: { user?: string; team?: string; role: string }[]; okta?: { extendedBy: string; extendedAt: string } }[];
}

export interface GeneratedWorkspace {
  readonly id: string;
  readonly folder: string;
  readonly accountFiles: readonly string[];
  readonly accountsPerFile: number;
  readonly users: number;
  readonly teams: number;
}

export function makeTempDir(prefix = "cerby-okta-watch-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export function settingsYaml(options: {
  id: string;
  orgName?: string;
  extendedAccountAccess?: boolean;
  users: number;
  teams: number;
}): string {
  const lines = [
    "version: 1",
    "workspace:",
    `  id: ${options.id}`,
    `  name: Workspace ${options.id}`,
    `  extendedAccountAccess: ${options.extendedAccountAccess ?? true}`,
    "  okta:",
    `    orgName: ${options.orgName ?? "acme"}`,
    "    baseUrl: okta.com",
    "users:",
  ];
  for (let user = 0; user < options.users; user++) {
    lines.push(`  - id: u-${user}`, `    email: user${user}@acme.example`, `    oktaUserId: 00u${user}`, "    workspaceRole: user");
  }
  lines.push(options.teams === 0 ? "teams: []" : "teams:");
  for (let team = 0; team < options.teams; team++) {
    lines.push(`  - id: t-${team}`, `    name: Team ${team}`);
    // Even teams are IdP-managed (an Okta group), odd ones self-managed.
    if (team % 2 === 0) lines.push(`    oktaGroupId: 00g${team}`);
    lines.push(`    members: [u-${(team * 3) % options.users}, u-${(team * 3 + 1) % options.users}]`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * One account: 3 direct users (the first is the owner who extended it) and 2
 * teams. `collaborator` replaces the second direct user (an edited grant).
 */
export function accountYaml(index: number, users: number, teams: number, collaborator?: number): string {
  const owner = index % users;
  const second = collaborator ?? (index + 1) % users;
  const third = (index + 2) % users;
  const teamA = index % teams;
  const teamB = (index + 1) % teams;
  const day = String((index % 28) + 1).padStart(2, "0");
  return [
    `  - id: a-${index}`,
    // A small pool of names, so that labels collide and get numbered (R4).
    `    name: Brand ${index % 3000}`,
    `    app: ${["Instagram", "TikTok", "X"][index % 3]}`,
    "    grants:",
    `      - { user: u-${owner}, role: owner }`,
    `      - { user: u-${second}, role: collaborator }`,
    `      - { user: u-${third}, role: collaborator }`,
    `      - { team: t-${teamA}, role: collaborator }`,
    `      - { team: t-${teamB}, role: owner }`,
    "    okta:",
    `      extendedBy: u-${owner}`,
    `      extendedAt: 2026-01-${day}T09:00:${String(index % 60).padStart(2, "0")}Z`,
  ].join("\n");
}

/**
 * Account file number `file`: accounts [file * perFile, (file + 1) * perFile).
 * `collaborators` replaces the second direct user of chosen accounts.
 */
export function accountsFileYaml(file: number, perFile: number, users: number, teams: number, collaborators: ReadonlyMap<number, number> = new Map()): string {
  const parts = ["version: 1", "accounts:"];
  for (let index = file * perFile; index < (file + 1) * perFile; index++) {
    parts.push(accountYaml(index, users, teams, collaborators.get(index)));
  }
  return `${parts.join("\n")}\n`;
}

export function accountFileName(folder: string, file: number): string {
  return path.join(folder, `accounts-${String(file).padStart(3, "0")}.yaml`);
}

export async function generateWorkspace(
  root: string,
  options: { id: string; folderName?: string; accounts: number; files: number; users?: number; teams?: number; orgName?: string },
): Promise<GeneratedWorkspace> {
  const users = options.users ?? 200;
  const teams = options.teams ?? 40;
  const folder = path.join(root, options.folderName ?? options.id);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "workspace.yaml"), settingsYaml({ id: options.id, orgName: options.orgName, users, teams }));
  const accountsPerFile = Math.ceil(options.accounts / options.files);
  const accountFiles: string[] = [];
  for (let file = 0; file < options.files; file++) {
    const name = accountFileName(folder, file);
    await writeFile(name, accountsFileYaml(file, accountsPerFile, users, teams));
    accountFiles.push(name);
  }
  return { id: options.id, folder, accountFiles, accountsPerFile, users, teams };
}

/** Workspace `ws-big` as one JSON document: one owner, and `accounts` accounts `Brand <i>` (`a-<i>`) extended by them. */
export function brandsWorkspace(accounts: number) {
  return {
    version: 1,
    workspace: { id: "ws-big", name: "Big", extendedAccountAccess: true, okta: { orgName: "big", baseUrl: "okta.com" } },
    users: [{ id: "u-0", email: "owner@big.example", oktaUserId: "00ubig0", workspaceRole: "owner" }],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: `a-${index}`,
      name: `Brand ${index}`,
      app: "Instagram",
      grants: [{ user: "u-0", role: "owner" }],
      okta: { extendedBy: "u-0", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  };
}
