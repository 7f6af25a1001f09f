/** Okta's error answers: status, errorCode, errorSummary and errorCauses. */
import { oktaId } from "./ids.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly summary: string,
    readonly causes: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(summary);
  }
}

/** The JSON body Okta sends with an error. */
export function errorBody(e: HttpError) {
  return {
    errorCode: e.errorCode,
    errorSummary: e.summary,
    errorLink: e.errorCode,
    errorId: oktaId("oae"),
    errorCauses: e.causes.map((c) => ({ errorSummary: c })),
  };
}

export const notFound = (what: string) => new HttpError(404, "E0000007", `Not found: Resource not found: ${what}`);

export const invalidToken = () => new HttpError(401, "E0000011", "Invalid token provided");

export const rateLimited = () => new HttpError(429, "E0000047", "API call exceeded rate limit due to too many requests.");

export const malformedBody = () => new HttpError(400, "E0000003", "The request body was not well-formed.");

export const blankField = (field: string) =>
  new HttpError(400, "E0000001", `Api validation failed: ${field}`, [`${field}: The field cannot be left blank`]);

/** Default texts for injected faults, by status. */
export function faultError(status: number, code?: string, summary?: string, causes: string[] = []): HttpError {
  const defaults: Record<number, [string, string]> = {
    400: ["E0000001", "Api validation failed"],
    401: ["E0000011", "Invalid token provided"],
    403: ["E0000006", "You do not have permission to perform the requested action"],
    404: ["E0000007", "Not found: Resource not found"],
    429: ["E0000047", "API call exceeded rate limit due to too many requests."],
    500: ["E0000009", "Internal Server Error"],
    502: ["E0000009", "Bad Gateway"],
    503: ["E0000010", "Service is temporarily unavailable."],
  };
  const [dCode, dSummary] = defaults[status] ?? ["E0000009", `HTTP ${status}`];
  return new HttpError(status, code ?? dCode, summary ?? dSummary, causes);
}
