/** Fault injection: the next N requests matching {method, route} answer a given error. */
import { faultError, type HttpError } from "./errors.ts";
import type { FaultSpec } from "./types.ts";

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  private readonly pending: PendingFault[] = [];

  add(spec: FaultSpec): void {
    if (!(spec.status >= 400 && spec.status <= 599)) throw new Error(`fault status must be 4xx or 5xx, got ${spec.status}`);
    this.pending.push({ spec, remaining: spec.times ?? 1 });
  }

  /** The error to answer instead of handling the request, consuming one use of the first matching fault. */
  take(method: string, route: string): HttpError | undefined {
    const fault = this.pending.find(
      (f) =>
        f.remaining > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        (f.spec.route === undefined || f.spec.route === route),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.pending.splice(this.pending.indexOf(fault), 1);
    const { status, errorCode, errorSummary, errorCauses, retryAfterSeconds } = fault.spec;
    const error = faultError(status, errorCode, errorSummary, errorCauses ?? []);
    if (retryAfterSeconds !== undefined) error.headers["Retry-After"] = String(retryAfterSeconds);
    return error;
  }
}
