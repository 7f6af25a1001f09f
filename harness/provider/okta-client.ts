/** Minimal Okta Management API client for the stand-in provider. */
import { log } from "./log.ts";

export interface ClientConfig {
  baseUrl: string; // e.g. http://127.0.0.1:1234 or https://acme.okta.com
  token: string;
  backoff: boolean;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  maxRetries: number;
  requestTimeoutSeconds: number;
}

export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: any,
  ) {
    super(
      `the API returned an error: ${body?.errorSummary ?? `HTTP ${status}`}` +
        (Array.isArray(body?.errorCauses) && body.errorCauses.length
          ? `. Causes: ${body.errorCauses.map((c: any) => c.errorSummary).join(", ")}`
          : "") +
        `, Status: ${status} (${method} ${path})`,
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OktaClient {
  constructor(readonly cfg: ClientConfig) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T; headers: Headers }> {
    const url = path.startsWith("http") ? path : this.cfg.baseUrl + path;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method,
        headers: {
          Authorization: `SSWS ${this.cfg.token}`,
          Accept: "application/json",
          "Content-Type": "application/json",
          "User-Agent": "okta-terraform-standin/4.20.0",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.cfg.requestTimeoutSeconds > 0 ? AbortSignal.timeout(this.cfg.requestTimeoutSeconds * 1000) : undefined,
      });
      const text = await res.text();
      let json: any = undefined;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
      }
      if (res.status === 429 && this.cfg.backoff && attempt < this.cfg.maxRetries) {
        const reset = Number(res.headers.get("x-rate-limit-reset"));
        const untilReset = Number.isFinite(reset) ? reset - Date.now() / 1000 : this.cfg.minWaitSeconds;
        const wait = Math.min(Math.max(untilReset, this.cfg.minWaitSeconds), this.cfg.maxWaitSeconds);
        log(`429 on ${method} ${new URL(url).pathname}; retry ${attempt + 1}/${this.cfg.maxRetries} in ${wait.toFixed(1)}s`);
        await sleep(wait * 1000);
        continue;
      }
      if (res.status >= 400) throw new OktaApiError(res.status, method, new URL(url).pathname, json);
      return { status: res.status, json: json as T, headers: res.headers };
    }
  }

  async get<T = any>(path: string): Promise<T> {
    return (await this.request<T>("GET", path)).json;
  }

  /** GET, or null on 404. */
  async getOrNull<T = any>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof OktaApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** GET every page, following `Link: <...>; rel="next"`. */
  async listAll<T = any>(path: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const res: { json: T[]; headers: Headers } = await this.request<T[]>("GET", next);
      out.push(...(res.json ?? []));
      next = undefined;
      const link = res.headers.get("link");
      if (link) {
        for (const part of link.split(/,(?=\s*<)/)) {
          const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
          if (m) next = m[1];
        }
      }
    }
    return out;
  }

  async deleteIgnoring404(path: string): Promise<void> {
    try {
      await this.request("DELETE", path);
    } catch (e) {
      if (!(e instanceof OktaApiError && e.status === 404)) throw e;
    }
  }
}
