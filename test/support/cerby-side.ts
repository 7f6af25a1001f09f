// A workspace as Cerby holds it, for tests that seed the Cerby API emulator
// through the repository's own readers: u-olga owns every account (one through
// her team), u-pat owns only a-figma, so a key Pat created sees 1 of the 3.
import { loadWorkspaces } from "../../src/workspace/load.ts";
import type { Workspace } from "../../src/workspace/model.ts";
import { writeWorkspaces } from "./temp-workspaces.ts";

export const CERBY_SIDE_YAML = `version: 1
workspace:
  id: ws-social
  name: Acme Social
  extendedAccountAccess: true
  okta: { orgName: acme, baseUrl: okta.com }
users:
  - { id: u-olga, email: olga@acme.example, oktaUserId: 00uolga, workspaceRole: owner }
  - { id: u-pat, email: pat@acme.example, oktaUserId: 00upat, workspaceRole: user }
  - { id: u-quinn, email: quinn@acme.example, oktaUserId: 00uquinn, workspaceRole: user }
teams:
  - { id: t-brand, name: Brand Team, members: [u-olga] }
accounts:
  - id: a-insta
    name: Contentzilla
    app: Instagram
    grants: [{ user: u-olga, role: owner }, { user: u-quinn, role: collaborator }]
    okta: { extendedBy: u-olga, extendedAt: 2026-02-01T09:00:00Z }
  - id: a-promo
    name: 'Promo \${file("/etc/hostname")}'
    app: X
    grants: [{ team: t-brand, role: owner }, { user: u-quinn, role: collaborator }]
    okta: { extendedBy: u-olga, extendedAt: 2026-02-02T09:00:00Z }
  - id: a-figma
    name: Design
    app: Figma
    grants: [{ user: u-pat, role: owner }, { user: u-olga, role: owner }]
    okta: { extendedBy: u-pat, extendedAt: 2026-02-03T09:00:00Z }
`;

/** The workspace above, read by the repository's loader from a temporary folder. */
export async function loadCerbySide(): Promise<Workspace[]> {
  const root = await writeWorkspaces({ social: { "workspace.yaml": CERBY_SIDE_YAML } });
  return loadWorkspaces(root);
}
