// Progress of a long Terraform step, from the event lines of `plan -json`
// and `apply -json`, e.g. (recorded: test/fixtures/terraform/*-events.jsonl)
//   {"@level":"info","@message":"okta_app_bookmark.app[\"a-1\"]: Refresh complete [id=0oa1]","hook":{"resource":{"addr":"okta_app_bookmark.app[\"a-1\"]",...},...},"type":"refresh_complete"}
//   {"@level":"info","@message":"okta_group.access[\"a-1\"]: Plan to create","change":{"resource":{"addr":"okta_group.access[\"a-1\"]",...},"action":"create"},"type":"planned_change"}
//   {"@level":"info","@message":"okta_app_bookmark.app[\"a-0\"]: Creation complete after 0s [id=0oa2]","hook":{"resource":{...},"action":"create",...},"type":"apply_complete"}
// A plan without refresh says nothing until its end (Terraform emits its
// planned changes once the graph walk is done), so the meter also says, at a
// bounded rate, that the step is still running and for how long.

import { thousands } from "../text/numbers.ts";

/** One line of Terraform's `-json` output, the fields we read. */
export interface TerraformEvent {
  readonly type?: string;
  readonly "@level"?: string;
  readonly "@message"?: string;
  readonly hook?: { readonly resource?: { readonly addr?: string }; readonly action?: string };
  readonly diagnostic?: { readonly severity?: string; readonly summary?: string; readonly detail?: string; readonly address?: string };
}

/** What an event counts as: a resource (or data source) read back, a change planned, a change applied. */
export type ProgressKind = "read" | "planned" | "applied";

export function progressKind(event: TerraformEvent): ProgressKind | undefined {
  switch (event.type) {
    case "refresh_complete":
      return "read";
    case "planned_change":
      return "planned";
    case "apply_complete":
      // During a plan, data sources (people looked up by login) are read through the apply hooks.
      return event.hook?.action === "read" ? "read" : "applied";
    default:
      return undefined;
  }
}

/** Parses one output line; undefined for a line that is not a JSON event. */
export function parseEvent(line: string): TerraformEvent | undefined {
  try {
    const event = JSON.parse(line) as unknown;
    return typeof event === "object" && event !== null && !Array.isArray(event) ? (event as TerraformEvent) : undefined;
  } catch {
    return undefined;
  }
}

export interface ProgressMeterOptions {
  /** Starts each line, e.g. `[3/8] ws-big-s002`. */
  readonly prefix: string;
  /** `planning` or `applying`. */
  readonly step: string;
  readonly log: (line: string) => void;
  /** Changes the step will apply, when known: lines then say "N/total". */
  readonly total?: number;
  /** At most one line this often (default 5 s). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export const PROGRESS_INTERVAL_MS = 5_000;

/**
 * Counts events and reports them at most once per interval: on an event
 * once the interval has passed, and on `tick()` (a timer) when nothing came.
 */
export class ProgressMeter {
  private readonly counts: Record<ProgressKind, number> = { read: 0, planned: 0, applied: 0 };
  private readonly now: () => number;
  private readonly started: number;
  private lastLine: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressMeterOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.lastLine = this.started;
  }

  /** Reports every interval while the step runs, also when Terraform says nothing. */
  start(): this {
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  count(kind: ProgressKind): void {
    this.counts[kind]++;
    this.tick();
  }

  observe(event: TerraformEvent): void {
    const kind = progressKind(event);
    if (kind) this.count(kind);
  }

  /** Logs a line if the interval has passed since the last one (or since the start). */
  tick(): void {
    const now = this.now();
    if (now - this.lastLine < this.interval) return;
    this.lastLine = now;
    this.options.log(this.line(now));
  }

  private get interval(): number {
    return this.options.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  private line(now: number): string {
    const { read, planned, applied } = this.counts;
    const parts: string[] = [];
    if (this.options.total !== undefined) parts.push(`${thousands(applied)}/${thousands(this.options.total)} applied`);
    else if (applied > 0) parts.push(`${thousands(applied)} applied`);
    if (read > 0) parts.push(`${thousands(read)} read back`);
    if (planned > 0) parts.push(`${thousands(planned)} changes planned`);
    const seconds = Math.round((now - this.started) / 1000);
    return `${this.options.prefix}: ${this.options.step}, ${seconds} s so far${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
  }
}
