// The flags of the commands that call an API themselves (snapshot, deprovision).
import { Option, type Command } from "commander";
import { nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from "./number-options.ts";

export interface HttpFlags {
  concurrency: number;
  maxWait: number;
  maxRetries: number;
  timeout: number;
  progress?: boolean;
}

export function addHttpOptions(command: Command): Command {
  return command
    .option("--concurrency <n>", "requests in flight at once", positiveInteger, 4)
    .option("--max-wait <seconds>", "cap on total waiting for rate limits and retries", nonNegativeNumber, 1800)
    .option("--max-retries <n>", "retries per request after a 5xx or a dropped connection", nonNegativeInteger, 5)
    .option("--timeout <seconds>", "per-request timeout, body included", positiveNumber, 60)
    .addOption(new Option("--progress", "progress on stderr even when CI=true"))
    .addOption(new Option("--no-progress", "no progress lines"));
}
