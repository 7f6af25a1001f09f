// A fresh Okta API service app for tests and the sandbox: an RSA key pair
// made per run (no key is ever written in the repository), the emulator's
// registration, and the environment the okta provider and cerby-okta read.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { ServiceAppRegistration } from "./okta-emulator/oauth.ts";

export interface TestServiceApp {
  readonly clientId: string;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  readonly registration: ServiceAppRegistration;
  /** OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_SCOPES (the scopes asked for), and OKTA_API_TOKEN emptied. */
  env(scopes?: readonly string[]): Record<string, string>;
}

/** A service app granted `granted`; its environment asks for `granted` unless told otherwise. */
export function newServiceApp(granted: readonly string[]): TestServiceApp {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientId = `0oa${randomBytes(8).toString("hex")}`;
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    clientId,
    privateKey: privatePem,
    registration: { clientId, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(), scopes: [...granted] },
    env: (scopes = granted) => ({ OKTA_API_CLIENT_ID: clientId, OKTA_API_PRIVATE_KEY: privatePem, OKTA_API_SCOPES: scopes.join(","), OKTA_API_TOKEN: "" }),
  };
}
