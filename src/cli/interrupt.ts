// Ctrl-C and SIGTERM: stop Terraform cleanly (its process group gets SIGINT:
// it finishes the requests in flight, writes the state and releases its
// lock), then exit 130. Terraform runs in its own process group, so a signal
// reaches it only through here, whoever sent it (a terminal, a service
// manager, CI). One that has not stopped STOP_GRACE_MS later is killed, with
// a message (src/terraform/terraform.ts); a second signal changes nothing.
import { STOP_GRACE_MS } from "../terraform/terraform.ts";

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
      process.stderr.write(`\n${signal}: stopping Terraform cleanly, please wait (at most ${STOP_GRACE_MS / 1000} s)...\n`);
      controller.abort(new Error(`interrupted by ${signal}`));
    } else process.stderr.write(`${signal} again: still stopping Terraform (killed at the latest ${STOP_GRACE_MS / 1000} s after the first signal)\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}
