// Seeds the Okta emulator with the people and IdP-managed teams of the
// workspaces, as if they already existed in Okta (the sandbox, the end-to-end
// tests and the benchmarks start from this).
import type { Workspace } from "../src/workspace/model.ts";
import type { OktaEmulator, OktaGroup, OktaUserStatus } from "./okta-emulator.ts";

/** How a seeded Okta user maps back to Cerby users. */
export interface Person {
  login: string;
  oktaUserId: string;
  cerbyUsers: string[];
}

/** Seeds the emulator with every workspace user (login = email) and every IdP team group with its last-known members. */
export function seedEmulator(emulator: OktaEmulator, workspaces: readonly Workspace[], log: (message: string) => void): Map<string, Person> {
  const people = new Map<string, Person>(); // lower-cased login -> person
  for (const workspace of workspaces) {
    const oktaIdOf = new Map<string, string>(); // cerby user id -> okta user id
    for (const user of workspace.users) {
      const key = user.email.toLowerCase();
      const cerbyUser = `${workspace.settings.id}/${user.id}`;
      let person = people.get(key);
      if (person) {
        if (user.oktaUserId && user.oktaUserId !== person.oktaUserId) {
          log(`warning: ${cerbyUser} gives ${user.email} the Okta ID ${user.oktaUserId}, but it was seeded as ${person.oktaUserId}`);
        }
      } else {
        let id = user.oktaUserId;
        if (id && emulator.state.users.has(id)) {
          log(`warning: Okta ID ${id} of ${cerbyUser} is already taken by another login: ${user.email} gets a generated ID`);
          id = undefined;
        }
        const seeded = emulator.seedUser({ id, login: user.email, email: user.email, status: (user.oktaStatus ?? "ACTIVE") as OktaUserStatus });
        person = { login: user.email, oktaUserId: seeded.id, cerbyUsers: [] };
        people.set(key, person);
      }
      person.cerbyUsers.push(cerbyUser);
      oktaIdOf.set(user.id, person.oktaUserId);
    }
    for (const team of workspace.teams) {
      if (!team.oktaGroupId) continue;
      let group = emulator.state.groups.get(team.oktaGroupId);
      if (!group) {
        // IdP-managed teams already exist in Okta, with their own IDs: put them in
        // the emulator's state directly (its createGroup always makes a new ID).
        const now = new Date().toISOString();
        group = {
          id: team.oktaGroupId,
          created: now,
          lastUpdated: now,
          lastMembershipUpdated: now,
          type: "APP_GROUP",
          profile: { name: team.name, description: `IdP-managed team ${team.id} of ${workspace.settings.id} (seeded by the sandbox)` },
        } satisfies OktaGroup;
        emulator.state.groups.set(group.id, group);
        emulator.state.groupMembers.set(group.id, new Set());
      }
      for (const member of team.members ?? []) {
        const oktaId = oktaIdOf.get(member);
        if (oktaId) emulator.state.groupMembers.get(group.id)!.add(oktaId);
      }
    }
  }
  return people;
}

