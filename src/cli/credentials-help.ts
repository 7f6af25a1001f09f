// The Okta credentials, as `--help` explains them: a module of its own, so
// that the program's help does not load the commands' dependencies.
import type { Command } from "commander";

export const CREDENTIALS_HELP = `
Okta credentials (from the environment, the variables the okta provider reads too):
  OKTA_API_CLIENT_ID       client ID of an Okta API service app (OAuth, recommended)
  OKTA_API_PRIVATE_KEY     its private key, PEM (or the path of the PEM file); never printed or written
  OKTA_API_PRIVATE_KEY_ID  the key's kid, when the app holds several keys
  OKTA_API_SCOPES          comma-separated; to plan: okta.apps.read,okta.groups.read,okta.users.read
                           to apply: okta.apps.manage,okta.groups.manage,okta.users.read,okta.policies.read
                           deprovision: okta.users.read,okta.logs.read
  OKTA_API_TOKEN           an SSWS API token instead. Warning: it carries every privilege of the admin
                           who created it (no scopes), and Okta revokes it after 30 days unused.
`;

export function addCredentialsHelp(command: Command): Command {
  return command.addHelpText("after", CREDENTIALS_HELP);
}
