/**
 * Errors as the okta/okta 4.20.0 provider's clients word them, so that a
 * caller recognises a 404 (or reads a message) the same way for both:
 * - SdkApiError: an HTTP error answer, formatted like the v2 SDK's `sdk.Error`
 *   ("the API returned an error: <summary>[. Causes: errorSummary: ...]");
 * - TransportError: no answer to use (retries exhausted, network, timeout),
 *   formatted like Go's `*url.Error` (`Get "<url>": <cause>`).
 * `responseErr` and `suppressErrorOn404` mirror the provider's helpers.
 */

export interface OktaErrorBody {
  error?: string;
  error_description?: string;
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: Array<Record<string, unknown>>;
}

/** The text of a v2 SDK `sdk.Error`. */
export function formatSdkError(body: OktaErrorBody): string {
  let text = "the API returned an unknown error";
  if (body.error_description) text = `the API returned an error: ${body.error_description}`;
  else if (body.errorSummary) text = `the API returned an error: ${body.errorSummary}`;
  const causes = (body.errorCauses ?? []).flatMap((cause) => Object.entries(cause).map(([k, v]) => `${k}: ${String(v)}`));
  if (causes.length) text = `${text}. Causes: ${causes.join(", ")}`;
  return text;
}

/** The error body the SDK decodes from an answer of 400 or more (`CheckResponseForError`). */
export function errorBodyOf(status: number, text: string, requestId: string | null): OktaErrorBody {
  let body: OktaErrorBody = {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed;
  } catch {
    // the SDK ignores undecodable bodies
  }
  if (status === 500) body = { ...body, errorSummary: `${body.errorSummary ?? ""}, x-okta-request-id=${requestId ?? ""}` };
  return body;
}

export class SdkApiError extends Error {
  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** Go's resp.Status, e.g. "404 Not Found". */
    readonly statusLine: string,
    readonly body: OktaErrorBody,
  ) {
    super(formatSdkError(body));
  }
}

export class TransportError extends Error {
  constructor(method: string, url: string, cause: string) {
    // net/http's url.Error: Op is the method with only its first letter upper-case.
    super(`${method[0]!.toUpperCase()}${method.slice(1).toLowerCase()} ${JSON.stringify(url)}: ${cause}`);
  }
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The provider's `responseErr`: the error, plus ", Status: <status line>" when there was an answer. */
export function responseErr(e: unknown): Error {
  if (e instanceof SdkApiError) return new Error(`${e.message}, Status: ${e.statusLine}`);
  return e instanceof Error ? e : new Error(String(e));
}

/** The provider's `suppressErrorOn404`: null for a 404 answer, else `responseErr`. */
export function suppressErrorOn404(e: unknown): Error | null {
  return is404(e) ? null : responseErr(e);
}

export const is404 = (e: unknown): boolean => e instanceof SdkApiError && e.status === 404;
