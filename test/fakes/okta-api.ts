// A fake Okta Management API: real HTTP on 127.0.0.1. Serves
// GET /api/v1/users/{id or login}, checks `Authorization: SSWS <token>`, and
// answers 429 with X-Rate-Limit-Reset (epoch seconds) when told to.
import { sendJson, startServer, type RunningServer } from "./http-server.ts";

export interface FakeOktaUser {
  id: string;
  login: string;
  status: string;
}

export class FakeOktaApi {
  /** Answer this many requests with 429, resetting `rateLimitSeconds` from now. */
  rateLimited = 0;
  rateLimitSeconds = 60;
  /** Answer this many requests with 500. */
  failing = 0;
  /** The 500s quote the Authorization header they were sent, as a careless proxy might. */
  failingEchoesToken = false;
  requests: { path: string; tokenOk: boolean }[] = [];
  private server?: RunningServer;

  constructor(
    public users: FakeOktaUser[],
    readonly token: string,
  ) {}

  get url(): string {
    return `${this.server!.origin}/`;
  }

  async start(): Promise<this> {
    this.server = await startServer((req, res, url) => {
      const tokenOk = req.headers.authorization === `SSWS ${this.token}`;
      this.requests.push({ path: url.pathname, tokenOk });
      if (!tokenOk) return sendJson(res, 401, { errorCode: "E0000011", errorSummary: "Invalid token provided" });
      if (this.rateLimited > 0) {
        this.rateLimited--;
        const reset = Math.floor(Date.now() / 1000) + this.rateLimitSeconds;
        return sendJson(res, 429, { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests." }, {
          "x-rate-limit-limit": "600",
          "x-rate-limit-remaining": "0",
          "x-rate-limit-reset": String(reset),
        });
      }
      if (this.failing > 0) {
        this.failing--;
        const summary = this.failingEchoesToken ? `Internal Server Error for Authorization: ${req.headers.authorization}` : "Internal Server Error";
        return sendJson(res, 500, { errorCode: "E0000009", errorSummary: summary });
      }
      const search = /^profile\.login eq "(.*)"$/.exec(url.searchParams.get("search") ?? "");
      if (url.pathname === "/api/v1/users" && search) {
        const found = this.users.filter((candidate) => candidate.login.toLowerCase() === search[1]!.toLowerCase());
        return sendJson(res, 200, found.map((u) => ({ id: u.id, status: u.status, profile: { login: u.login, email: u.login } })));
      }
      const match = /^\/api\/v1\/users\/([^/]+)$/.exec(url.pathname);
      const key = match ? decodeURIComponent(match[1]!) : undefined;
      const user = this.users.find((candidate) => candidate.id === key || candidate.login.toLowerCase() === key?.toLowerCase());
      if (!user) return sendJson(res, 404, { errorCode: "E0000007", errorSummary: `Not found: Resource not found: ${key} (User)` });
      sendJson(res, 200, { id: user.id, status: user.status, profile: { login: user.login, email: user.login } });
    });
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
