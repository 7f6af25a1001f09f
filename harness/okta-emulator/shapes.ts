/** JSON bodies as Okta renders apps, assignments, groups, users, policies and the org. */
import type { OktaOrg } from "./state.ts";
import type { OktaApp, OktaGroup, OktaGroupAssignment, OktaPolicy, OktaUser } from "./types.ts";

export function appJson(org: OktaOrg, a: OktaApp) {
  const base = org.baseUrl;
  return {
    id: a.id,
    name: a.name,
    label: a.label,
    status: a.status,
    lastUpdated: a.lastUpdated,
    created: a.created,
    accessibility: { ...a.accessibility },
    visibility: { autoSubmitToolbar: a.visibility.autoSubmitToolbar, hide: { ...a.visibility.hide }, appLinks: { ...a.visibility.appLinks } },
    features: [],
    signOnMode: a.signOnMode,
    credentials: { userNameTemplate: { template: "${source.login}", type: "BUILT_IN" }, signing: {} },
    settings: {
      app: { requestIntegration: a.requestIntegration, url: a.url },
      notifications: { vpn: { network: { connection: "DISABLED" }, message: null, helpUrl: null } },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: { ...a.notes },
    },
    _links: {
      help: { href: `${base}/app/bookmark/${a.id}/setup/help/SAML_2_0/external-doc`, type: "text/html" },
      metadata: { href: `${base}/api/v1/apps/${a.id}/sso/saml/metadata`, type: "application/xml" },
      appLinks: [{ name: "login", href: `${base}/home/bookmark/${a.id}/2557`, type: "text/html" }],
      groups: { href: `${base}/api/v1/apps/${a.id}/groups` },
      logo: [{ name: "medium", href: `${base}/assets/img/logos/default.png`, type: "image/png" }],
      users: { href: `${base}/api/v1/apps/${a.id}/users` },
      ...(a.accessPolicyId ? { accessPolicy: { href: `${base}/api/v1/policies/${a.accessPolicyId}` } } : {}),
      ...(a.status === "ACTIVE"
        ? { deactivate: { href: `${base}/api/v1/apps/${a.id}/lifecycle/deactivate` } }
        : { activate: { href: `${base}/api/v1/apps/${a.id}/lifecycle/activate` } }),
    },
  };
}

export function assignmentJson(org: OktaOrg, appId: string, as: OktaGroupAssignment) {
  const base = org.baseUrl;
  return {
    id: as.id,
    lastUpdated: as.lastUpdated,
    priority: as.priority,
    profile: { ...as.profile },
    _links: {
      app: { href: `${base}/api/v1/apps/${appId}` },
      self: { href: `${base}/api/v1/apps/${appId}/groups/${as.id}` },
      group: { href: `${base}/api/v1/groups/${as.id}` },
    },
  };
}

export function groupJson(org: OktaOrg, g: OktaGroup) {
  const base = org.baseUrl;
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ["okta:user_group"],
    type: g.type,
    profile: { ...g.profile },
    _links: {
      logo: [{ name: "medium", href: `${base}/assets/img/logos/groups/okta-medium.png`, type: "image/png" }],
      users: { href: `${base}/api/v1/groups/${g.id}/users` },
      apps: { href: `${base}/api/v1/groups/${g.id}/apps` },
    },
  };
}

export function userJson(org: OktaOrg, u: OktaUser) {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.status === "ACTIVE" ? u.created : null,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: null,
    type: { id: "oty00000000000000000" },
    profile: { ...u.profile },
    credentials: { provider: { type: "OKTA", name: "OKTA" } },
    _links: { self: { href: `${org.baseUrl}/api/v1/users/${u.id}` } },
  };
}

export function policyJson(org: OktaOrg, p: OktaPolicy) {
  return {
    id: p.id,
    status: p.status,
    name: p.name,
    description: "The default app sign-on policy",
    priority: 1,
    system: p.system,
    conditions: null,
    created: p.created,
    lastUpdated: p.lastUpdated,
    type: p.type,
    _links: {
      self: { href: `${org.baseUrl}/api/v1/policies/${p.id}`, hints: { allow: ["GET", "PUT", "DELETE"] } },
      rules: { href: `${org.baseUrl}/api/v1/policies/${p.id}/rules`, hints: { allow: ["GET", "POST"] } },
    },
  };
}

/** GET /.well-known/okta-organization: `pipeline` is "idx" on Identity Engine, "v1" on Classic. */
export function organizationJson(org: OktaOrg) {
  return {
    id: "00o" + org.defaultAccessPolicyId.slice(3),
    pipeline: org.pipeline,
    _links: {
      organization: { href: org.baseUrl },
      alternate: { href: org.baseUrl },
    },
    settings: { analyticsCollectionEnabled: false, bugReportingEnabled: false, omEnabled: false },
  };
}
