// Progress on stderr for long runs: one line every few seconds at most, and a
// countdown while a rate limit makes us wait. Quiet when CI=true unless asked.
import { formatDuration, type Clock, type WaitEvent } from "./http-client.ts";

export interface ProgressOptions {
  /** Where lines go (stderr in the CLI). */
  readonly write: (line: string) => void;
  readonly clock: Clock;
  /** Periodic progress lines; wait notices are printed regardless. */
  readonly enabled: boolean;
  /** Prefix, e.g. `snapshot`. */
  readonly label: string;
  /** Minimum time between two progress lines. @default 2000 */
  readonly intervalMs?: number;
}

/** `--progress` forces progress on, `--no-progress` off; otherwise on unless CI=true. */
export function progressEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag ?? env.CI !== "true";
}

export class Progress {
  private readonly started: number;
  private lastLine = Number.NEGATIVE_INFINITY;
  private lastText = "";
  private waitingUntil = 0;
  private readonly counters = new Map<string, number>();

  constructor(private readonly options: ProgressOptions) {
    this.started = options.clock.now();
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
    this.maybeLine();
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** A wait has started: always said, since a silent five-minute pause looks like a hang. */
  waiting(event: WaitEvent): void {
    this.waitingUntil = Math.max(this.waitingUntil, this.options.clock.now() + event.delayMs);
    const why = event.reason === "rate-limited" ? "rate limited" : event.detail;
    this.options.write(`${this.options.label}: ${event.what}: ${why}; waiting ${formatDuration(event.delayMs)} before retrying\n`);
  }

  /** Forces a line now (end of run). */
  done(summary: string): void {
    if (this.options.enabled) this.options.write(`${this.options.label}: ${summary} in ${this.elapsed()}\n`);
  }

  /**
   * A clock whose long sleeps are cut into slices with a progress line
   * between them, so a five-minute rate-limit wait shows a countdown.
   */
  tickingClock(sliceMs = 30_000): Clock {
    const clock = this.options.clock;
    return {
      now: () => clock.now(),
      sleep: async (ms, signal) => {
        const end = clock.now() + ms;
        for (let left = ms; left > 0 && !signal?.aborted; left = end - clock.now()) {
          await clock.sleep(Math.min(left, sliceMs), signal);
          if (end - clock.now() > 0) this.maybeLine(true);
        }
      },
    };
  }

  private maybeLine(force = false): void {
    if (!this.options.enabled) return;
    const now = this.options.clock.now();
    if (!force && now - this.lastLine < (this.options.intervalMs ?? 2_000)) return;
    this.lastLine = now;
    const parts = [...this.counters].map(([name, value]) => `${value} ${name}`);
    const wait = this.waitingUntil - now;
    if (wait > 0) parts.push(`waiting ${formatDuration(wait)} more for the rate limit`);
    parts.push(`${this.elapsed()} elapsed`);
    const line = `${this.options.label}: ${parts.join(", ")}\n`;
    // Requests waiting side by side tick together: say it once.
    if (line !== this.lastText) this.options.write(line);
    this.lastText = line;
  }

  private elapsed(): string {
    return formatDuration(this.options.clock.now() - this.started);
  }
}
