// Ctrl-C and SIGTERM: stop Terraform cleanly (it gets SIGINT and releases its
// state lock), then exit 130. A second signal does not kill it harder: a
// killed Terraform can leave a stale lock, which is worse than waiting.
export const INTERRUPTED_EXIT_CODE = 130;

let interruptedBy: NodeJS.Signals | undefined;

/** The signal that interrupted this run, if any. */
export function interruption(): NodeJS.Signals | undefined {
  return interruptedBy;
}

export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      interruptedBy = signal;
      process.stderr.write(`\n${signal}: stopping Terraform cleanly, please wait...\n`);
      controller.abort(new Error(`interrupted by ${signal}`));
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}
