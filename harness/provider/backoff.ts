/**
 * cenkalti/backoff's exponential retry, as the provider uses it for its own
 * loops (delete an app: 5 s; wait for a new group or new memberships: 10 s):
 * first wait 500 ms, × 1.5 each time, ±50 % jitter, stop once the elapsed time
 * is over the budget (v2 checks elapsed; v4 checks elapsed + next wait).
 */
export class Permanent extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

export async function retryExponential(
  operation: () => Promise<void>,
  maxElapsedMs: number,
  flavour: "v2" | "v4",
): Promise<void> {
  const started = Date.now();
  let interval = 500;
  for (;;) {
    try {
      await operation();
      return;
    } catch (e) {
      if (e instanceof Permanent) throw e.cause;
      const elapsed = Date.now() - started;
      const next = interval * (1 + 0.5 * (2 * Math.random() - 1));
      interval = Math.min(interval * 1.5, 60_000);
      if (flavour === "v2" ? elapsed > maxElapsedMs : elapsed + next > maxElapsedMs) throw e;
      await new Promise((r) => setTimeout(r, next));
    }
  }
}
