import { afterEach, describe, expect, it } from "vitest";
import { scaledClock } from "../../src/http/http-client.ts";
import { OktaClient, oktaOrgUrl } from "../../src/okta-api/client.ts";
import { randomSecret } from "../fakes/cli.ts";
import { FakeOktaApi } from "../fakes/okta-api.ts";

let okta: FakeOktaApi | undefined;
afterEach(async () => okta?.close());

describe("the Okta client", () => {
  it("finds users by ID, by login, and by login search when the login holds a slash", async () => {
    const token = randomSecret("00T");
    okta = await new FakeOktaApi(
      [
        { id: "00u1", login: "alice@acme.example", status: "ACTIVE" },
        { id: "00u2", login: "acme/bob@acme.example", status: "SUSPENDED" },
      ],
      token,
    ).start();
    const client = new OktaClient({ baseUrl: okta.url, token, clock: scaledClock(0.0001) });
    expect(await client.getUser("00u1")).toEqual({ id: "00u1", login: "alice@acme.example", status: "ACTIVE" });
    expect(await client.getUser("alice@acme.example")).toMatchObject({ id: "00u1" });
    expect(await client.getUser("acme/bob@acme.example")).toEqual({ id: "00u2", login: "acme/bob@acme.example", status: "SUSPENDED" });
    expect(await client.getUser("nobody@acme.example")).toBeUndefined();
    expect(await client.getUser("acme/nobody@acme.example")).toBeUndefined();
    expect(okta.requests.every((request) => request.tokenOk)).toBe(true);
  });

  it("builds the org URL from the workspace's okta block", () => {
    expect(oktaOrgUrl({ orgName: "acme", baseUrl: "oktapreview.com" })).toBe("https://acme.oktapreview.com/");
  });
});
