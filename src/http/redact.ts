// Credentials must never reach a terminal, a log or a file. A server may echo
// the key it was sent (in an error body, a header, a field), so every text
// built from an answer goes through a Redact before anyone sees it.

/** Replaces every credential in a text with `***`. */
export type Redact = (text: string) => string;

const MASK = "***";

/** Shorter strings would mask ordinary words; real keys and tokens are far longer. */
const MIN_SECRET_LENGTH = 6;

/**
 * Credentials that look like credentials, whatever their value: an
 * `Authorization` scheme followed by a token, or `api_key=...`, `"token": "..."`.
 * Catches a token we were not told about (e.g. an Okta token echoed by Cerby).
 * A value must be long and hold a digit, so that prose ("Invalid token
 * provided") is left alone.
 */
const TOKEN_VALUE = String.raw`(?=[^\s"'\\,;&}]*\d)[^\s"'\\,;&}]{12,}`;
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\b(SSWS|Bearer)(\s+)${TOKEN_VALUE}`, "gi"),
  new RegExp(
    String.raw`\b(x-api-key|api[-_]?key|api[-_]?token|access[-_]?token|refresh[-_]?token|token|secret|password|authorization)(\\?["']?\s*[:=]\s*\\?["']?)(?!\*\*\*)${TOKEN_VALUE}`,
    "gi",
  ),
];

/**
 * Credentials recognised by their shape alone, masked whole: a signed JWT (an
 * OAuth access token or client assertion: three base64url parts, the first a
 * JSON header) and a PEM private key block.
 */
const SHAPED_CREDENTIALS: readonly RegExp[] = [
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
  /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
];

/**
 * A Redact for these secrets: each is masked as sent, URL-encoded and
 * JSON-escaped (the forms a server echoing it would use), and so is anything
 * shaped like a credential.
 */
export function redactor(secrets: readonly (string | undefined)[]): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that no form is left half-masked by a shorter one.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const form of ordered) if (result.includes(form)) result = result.split(form).join(MASK);
    for (const pattern of SHAPED_CREDENTIALS) result = result.replace(pattern, MASK);
    for (const pattern of CREDENTIAL_PATTERNS) result = result.replace(pattern, (_match, name: string, gap: string) => `${name}${gap}${MASK}`);
    return result;
  };
}

/** The same error with its message redacted (type kept, so the exit code and wording stay). */
export function redactError<T>(error: T, redact: Redact): T {
  if (error instanceof Error) {
    const message = redact(error.message);
    if (message !== error.message) error.message = message;
    // A stack repeats the message; it is printed for internal errors.
    if (error.stack) error.stack = redact(error.stack);
  }
  return error;
}

/** A writer that redacts what it is given before passing it on. */
export function redactingWriter(write: (text: string) => void, redact: Redact): (text: string) => void {
  return (text) => write(redact(text));
}
