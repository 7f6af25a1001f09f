// What the sandbox shows: every person's Okta dashboard as the emulator would
// serve it, as an HTML page and as plain text. Labels come from Cerby account
// names and are hostile: every string is escaped for its context, and only
// http(s) URLs ever become links.

/** One chiclet on a person's dashboard. */
export interface Chiclet {
  readonly label: string;
  /** Where the bookmark app points (the Cerby login URL), as stored in Okta. */
  readonly url: string;
  readonly appId: string;
}

/** One Okta user and what their dashboard holds. */
export interface PersonDashboard {
  readonly login: string;
  readonly oktaUserId: string;
  readonly status: string;
  /** Where the person comes from: `<workspace id>/<cerby user id>`. */
  readonly cerbyUsers: readonly string[];
  readonly chiclets: readonly Chiclet[];
}

/** One Okta API request the emulator answered during the last sync. */
export interface RequestRow {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  /** Okta rate-limit bucket, e.g. `/api/v1/apps`. */
  readonly bucket: string;
}

export interface PageModel {
  readonly people: readonly PersonDashboard[];
  /** Every request of the last sync, in order: what a real org would have been asked, and answered. */
  readonly lastSyncRequests: readonly RequestRow[];
  /** Requests the emulator answered, per Okta rate-limit bucket. */
  readonly requestsByBucket: Readonly<Record<string, number>>;
  /** Requests per `METHOD route`. */
  readonly requestsByRoute: Readonly<Record<string, number>>;
  /** The shell lines a user needs to run cerby-okta against the sandbox. */
  readonly shellSetup: string;
  readonly emulatorUrl: string;
  /** With `--cerby`: the Cerby API emulator's workspaces (never a key). */
  readonly cerby?: readonly CerbyWorkspaceRow[];
}

/** One workspace the Cerby API emulator serves, and what the key offered for it sees. */
export interface CerbyWorkspaceRow {
  readonly workspace: string;
  readonly baseUrl: string;
  /** The Cerby user who created the offered key. */
  readonly creator: string;
  readonly sees: number;
  readonly accounts: number;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** The URL when it is plain http(s), else undefined (no `javascript:` or `data:` links). */
export function safeHttpUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

// C0/C1 controls, DEL, bidi overrides and isolates, line/paragraph separators:
// anything that could move the cursor or reorder a terminal line.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on one terminal line: unprintable characters shown as \u{..}. */
export function plain(text: string): string {
  return text.replace(UNPRINTABLE, (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`);
}

/** Every person's dashboard as text, one block per person (used by `--once`). */
export function renderText(people: readonly PersonDashboard[]): string {
  let text = "";
  for (const person of people) {
    text += `${plain(person.login)} (${plain(person.oktaUserId)}, ${plain(person.status)}; ${person.cerbyUsers.map(plain).join(", ")})\n`;
    if (person.chiclets.length === 0) text += "  (no chiclets)\n";
    for (const chiclet of person.chiclets) text += `  [${plain(chiclet.label)}]\n`;
  }
  return text;
}

/** Rows on the page; /sandbox.json has every request. */
const MAX_REQUEST_ROWS = 2000;

/** The Cerby API emulator's workspaces, with a link to its data (`/cerby.json`). */
function renderCerby(rows: readonly CerbyWorkspaceRow[]): string {
  const e = escapeHtml;
  const body = rows
    .map(
      (row) =>
        `<tr><td><code>${e(row.workspace)}</code></td><td><code>${e(row.baseUrl)}</code></td><td><code>${e(row.creator)}</code></td><td class="n">${row.sees} of ${row.accounts}</td></tr>`,
    )
    .join("");
  return `<h2>Cerby API emulator</h2>
<p><a href="/cerby.json">The Cerby emulator's data</a>: every user, team, account and grant it serves, per workspace. A key sees only the accounts its creator owns; the keys are printed in the terminal.</p>
<table><tr><th>workspace</th><th>API base URL</th><th>key created by</th><th>accounts the key sees</th></tr>${body}</table>`;
}

export function renderPage(model: PageModel): string {
  const e = escapeHtml;
  const people = model.people
    .map((person) => {
      const chiclets =
        person.chiclets.length === 0
          ? `<p class="none">No chiclets.</p>`
          : `<ul class="chiclets">${person.chiclets
              .map((chiclet) => {
                const href = safeHttpUrl(chiclet.url);
                const inner = `<span class="label">${e(chiclet.label)}</span><span class="url">${e(chiclet.url)}</span>`;
                return `<li title="${e(`Okta app ${chiclet.appId}`)}">${
                  href ? `<a href="${e(href)}" rel="noopener noreferrer" target="_blank">${inner}</a>` : inner
                }</li>`;
              })
              .join("")}</ul>`;
      return `<section class="person">
<h2>${e(person.login)} <span class="status status-${e(person.status.toLowerCase())}">${e(person.status)}</span></h2>
<p class="ids">Okta user <code>${e(person.oktaUserId)}</code> &middot; Cerby ${person.cerbyUsers.map((id) => `<code>${e(id)}</code>`).join(", ")}</p>
${chiclets}
</section>`;
    })
    .join("\n");
  const rejected = model.lastSyncRequests.filter((request) => request.status >= 400 && request.status < 500);
  const shown = model.lastSyncRequests.slice(0, MAX_REQUEST_ROWS);
  const requestRows = shown
    .map(
      (request) =>
        `<tr${request.status >= 400 ? ` class="rejected"` : ""}><td>${e(request.method)}</td><td><code>${e(request.route)}</code></td><td class="n">${request.status}</td><td>${e(request.bucket)}</td></tr>`,
    )
    .join("");
  const requestNote =
    rejected.length > 0
      ? `<p class="warn">${rejected.length} request${rejected.length === 1 ? "" : "s"} of the last sync answered 4xx: a real Okta org would have refused ${rejected.length === 1 ? "it" : "them"} too.</p>`
      : `<p>No request of the last sync was refused (no 4xx).</p>`;
  const buckets = Object.entries(model.requestsByBucket)
    .map(([bucket, count]) => `<tr><td>${e(bucket)}</td><td class="n">${count}</td></tr>`)
    .join("");
  const routes = Object.entries(model.requestsByRoute)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([route, count]) => `<tr><td><code>${e(route)}</code></td><td class="n">${count}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cerby-okta sandbox</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 70rem; color: #1d1d21; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin: 0 0 .2rem; }
.person { border: 1px solid #ddd; border-radius: 8px; padding: .8rem 1rem; margin: .8rem 0; }
.ids { color: #666; margin: 0 0 .6rem; font-size: .85rem; }
.chiclets { display: flex; flex-wrap: wrap; gap: .6rem; list-style: none; padding: 0; margin: 0; }
.chiclets li { width: 11rem; min-height: 4.5rem; border: 1px solid #c9d3e6; border-radius: 6px; background: #f4f7fc; padding: .5rem; overflow-wrap: anywhere; }
.chiclets a { color: inherit; text-decoration: none; display: block; }
.label { display: block; font-weight: 600; white-space: pre-wrap; }
.url { display: block; color: #777; font-size: .75rem; margin-top: .3rem; }
.none { color: #999; margin: 0; }
.status { font-size: .75rem; font-weight: normal; padding: .05rem .4rem; border-radius: 4px; background: #e4f4e4; }
.status-suspended, .status-deprovisioned { background: #f8e0e0; }
table { border-collapse: collapse; } td, th { padding: .15rem .8rem .15rem 0; text-align: left; } .n { text-align: right; }
.rejected td { background: #f8e0e0; font-weight: 600; } .warn { color: #a00; font-weight: 600; }
pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; }
</style>
</head>
<body>
<h1>cerby-okta sandbox</h1>
<p>Okta dashboards as the emulator at <code>${e(model.emulatorUrl)}</code> serves them (<code>/api/v1/users/{id}/appLinks</code>). Reload after each <code>cerby-okta apply</code>. The same as JSON, every request included: <a href="/sandbox.json">sandbox.json</a>.</p>
${people}
<h2>Okta API requests of the last sync (${model.lastSyncRequests.length})</h2>
${requestNote}
<details${rejected.length > 0 ? " open" : ""}><summary>each request</summary><table><tr><th>method</th><th>route</th><th>status</th><th>bucket</th></tr>${requestRows}</table>${
    model.lastSyncRequests.length > shown.length ? `<p>... and ${model.lastSyncRequests.length - shown.length} more in <code>/sandbox.json</code></p>` : ""
  }</details>
<h2>Okta API requests since the sandbox started, per rate-limit bucket</h2>
<table>${buckets}</table>
<details><summary>per route</summary><table>${routes}</table></details>
${model.cerby ? renderCerby(model.cerby) : ""}
<h2>Run cerby-okta against this sandbox</h2>
<pre>${e(model.shellSetup)}</pre>
</body>
</html>
`;
}
