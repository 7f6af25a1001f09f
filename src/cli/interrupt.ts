// Ctrl-C and SIGTERM: stop Terraform cleanly (it gets SIGINT and releases its
// state lock), then exit 130. A second signal does not kill it harder: a
// killed Terraform can leave a stale lock, which is worse than waiting.
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\n${signal}: stopping Terraform cleanly, please wait...\n`);
      controller.abort(new Error(`interrupted by ${signal}`));
    }
    process.exitCode = 130;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}
