/** Every request the emulator answered, with filters and counters. */
import type { ApiFamily, Bucket, LoggedRequest, RequestFilter } from "./types.ts";

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  reset(): void {
    this.entries.length = 0;
  }

  count(filter?: RequestFilter | ((r: LoggedRequest) => boolean)): number {
    if (!filter) return this.entries.length;
    const test = typeof filter === "function" ? filter : (r: LoggedRequest) => matches(r, filter);
    return this.entries.filter(test).length;
  }

  byRoute(): Record<string, number> {
    return tally(this.entries, (r) => `${r.method} ${r.route}`);
  }

  byBucket(): Record<Bucket, number> {
    return tally(this.entries, (r) => r.bucket);
  }

  byFamily(): Record<ApiFamily, number> {
    return { apps: 0, groups: 0, users: 0, other: 0, ...tally(this.entries, (r) => r.family) };
  }
}

function matches(r: LoggedRequest, f: RequestFilter): boolean {
  return (
    (f.method === undefined || f.method.toUpperCase() === r.method) &&
    (f.route === undefined || f.route === r.route) &&
    (f.bucket === undefined || f.bucket === r.bucket) &&
    (f.family === undefined || f.family === r.family) &&
    (f.status === undefined || f.status === r.status) &&
    (f.path === undefined || (typeof f.path === "string" ? f.path === r.path : f.path.test(r.path)))
  );
}

function tally(entries: LoggedRequest[], key: (r: LoggedRequest) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of entries) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}
