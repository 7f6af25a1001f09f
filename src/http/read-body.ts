// Reads an answer's body as text, stopping at a byte limit. fetch inflates
// gzip/deflate/br on the fly, so the bytes counted here are the inflated ones:
// a small compressed bomb is cut off at the limit like any other large body,
// after reading only as much as the limit.

export interface BodyText {
  readonly text: string;
  /** Bytes read (after decompression). */
  readonly bytes: number;
  /** True when the body went on past the limit; `text` then holds its first `limit` bytes. */
  readonly truncated: boolean;
}

/**
 * Reads at most `limit` bytes of the body (plus the chunk that crossed it),
 * then cancels the rest so the connection stops. Rejects when the request's
 * signal aborts (timeout) or the connection drops.
 */
export async function readBodyText(response: Response, limit: number): Promise<BodyText> {
  // A Content-Length over the limit is refused before reading a byte.
  const announced = Number(response.headers.get("content-length") ?? "");
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (!encoded && Number.isFinite(announced) && announced > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { text: "", bytes: announced, truncated: true };
  }
  if (!response.body) return { text: "", bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - bytes;
      bytes += value.byteLength;
      if (value.byteLength > room) {
        parts.push(decoder.decode(value.subarray(0, Math.max(0, room)), { stream: true }));
        await reader.cancel().catch(() => undefined);
        return { text: parts.join("") + decoder.decode(), bytes, truncated: true };
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
  parts.push(decoder.decode());
  return { text: parts.join(""), bytes, truncated: false };
}
