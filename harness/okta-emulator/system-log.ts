/**
 * Okta's System Log (`GET /api/v1/logs`) for user lifecycle changes: an event
 * per status change made through the lifecycle routes or the test helpers,
 * in Okta's LogEvent shape, served with Okta's polling: `since`, `until`,
 * `sortOrder`, `limit` (default 100, at most 1,000), `after`, and a
 * `Link: rel="next"` on every page of a query without `until` (a poll),
 * also an empty one: that link is where the next poll starts. A strict fake:
 * a filter other than `eventType eq "..."` clauses joined by `or`, a time
 * that is not ISO 8601, or an unknown sort order is a 400, as Okta answers.
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "./errors.ts";
import type { OktaUser, OktaUserStatus } from "./types.ts";

export interface LogEvent {
  readonly uuid: string;
  readonly published: string;
  readonly eventType: string;
  readonly displayMessage: string;
  readonly severity: "INFO";
  readonly outcome: { readonly result: "SUCCESS" };
  readonly actor: { readonly id: string; readonly type: "User"; readonly alternateId: string; readonly displayName: string };
  readonly target: readonly { readonly id: string; readonly type: "User"; readonly alternateId: string; readonly displayName: string }[];
}

/** The event type Okta records for a change of a user's status, if any. */
function lifecycleEventType(from: OktaUserStatus, to: OktaUserStatus): [string, string] | undefined {
  if (from === to) return undefined;
  if (to === "SUSPENDED") return ["user.lifecycle.suspend", "Suspend Okta user"];
  if (to === "DEPROVISIONED") return ["user.lifecycle.deactivate", "Deactivate Okta user"];
  if (from === "SUSPENDED") return ["user.lifecycle.unsuspend", "Unsuspend Okta user"];
  if (from === "DEPROVISIONED") return ["user.lifecycle.reactivate", "Reactivate Okta user"];
  if (to === "ACTIVE") return ["user.lifecycle.activate", "Activate Okta user"];
  return undefined;
}

export class SystemLog {
  readonly events: LogEvent[] = [];

  constructor(private readonly actor: () => OktaUser) {}

  /** Records the event for `user` going from `from` to its current status. */
  statusChanged(user: OktaUser, from: OktaUserStatus): void {
    const type = lifecycleEventType(from, user.status);
    if (!type) return;
    const actor = this.actor();
    const person = (u: OktaUser) => ({ id: u.id, type: "User" as const, alternateId: u.profile.login, displayName: `${u.profile.firstName} ${u.profile.lastName}` });
    this.events.push({
      uuid: randomUUID(),
      published: new Date().toISOString(),
      eventType: type[0],
      displayMessage: type[1],
      severity: "INFO",
      outcome: { result: "SUCCESS" },
      actor: person(actor),
      target: [person(user)],
    });
  }

  /** One page of `GET /api/v1/logs`, and its Link header values. */
  query(baseUrl: string, url: URL): { items: LogEvent[]; links: string[] } {
    const params = url.searchParams;
    const until = params.has("until") ? time(params.get("until")!, "until") : undefined;
    const since = params.has("since") ? time(params.get("since")!, "since") : (until ?? Date.now()) - 7 * 24 * 3600_000;
    const order = params.get("sortOrder") ?? "ASCENDING";
    if (order !== "ASCENDING" && order !== "DESCENDING") throw invalid("sortOrder", `sortOrder must be ASCENDING or DESCENDING`);
    const limitRaw = params.get("limit");
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid("limit", "limit must be an integer between 1 and 1000");
    const types = eventTypesOf(params.get("filter"));
    let matching = this.events.filter((event) => {
      const at = Date.parse(event.published);
      return at >= since && (until === undefined || at < until) && (types === undefined || types.has(event.eventType));
    });
    if (order === "DESCENDING") matching = matching.reverse();
    const after = params.get("after");
    let start = 0;
    if (after !== null) {
      const index = matching.findIndex((event) => event.uuid === after);
      if (index < 0) throw invalid("after", "after is not a cursor this query returned");
      start = index + 1;
    }
    const items = matching.slice(start, start + limit);
    const links = [`<${baseUrl}${url.pathname}${url.search}>; rel="self"`];
    // A poll (no `until`) always links on, also from an empty page; a bounded query links while items remain.
    const last = items.at(-1)?.uuid ?? after;
    if (until === undefined || start + limit < matching.length) {
      const next = new URL(url.toString());
      if (last !== null && last !== undefined) next.searchParams.set("after", last);
      links.push(`<${baseUrl}${next.pathname}${next.search}>; rel="next"`);
    }
    return { items, links };
  }
}

function time(value: string, name: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(name, `${name} is not an ISO 8601 time`);
  return ms;
}

/** The event types a filter asks for: `eventType eq "a" or eventType eq "b"`, optionally in parentheses; anything else is refused. */
function eventTypesOf(filter: string | null): Set<string> | undefined {
  if (filter === null) return undefined;
  const inner = filter.trim().replace(/^\((.*)\)$/s, "$1");
  const clauses = inner.split(/\s+or\s+/);
  const types = new Set<string>();
  for (const clause of clauses) {
    const match = /^eventType eq "([a-z0-9_.]+)"$/i.exec(clause.trim());
    if (!match) throw new HttpError(400, "E0000031", "Invalid search criteria.");
    types.add(match[1]!);
  }
  return types;
}

const invalid = (field: string, cause: string) => new HttpError(400, "E0000001", `Api validation failed: ${field}`, [cause]);
