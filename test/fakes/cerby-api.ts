// The Cerby API emulator (harness/cerby-emulator/) as unit tests of paging,
// faults and mapping use it: one workspace at `/api/v1/` and one key whose
// creator is not named, so the hand-made data needs no owner. Everything else
// (the server, faults, paging styles, builders) is the emulator's: one fake.
import { CerbyEmulator, account, emptyData, ref, team, user, type CerbyData } from "../../harness/cerby-emulator/index.ts";

export { account, emptyData, ref, team, user, type CerbyData as FakeCerbyData, type Fault, type FaultKind, type PagingStyle, type RecordedRequest, type Resource } from "../../harness/cerby-emulator/index.ts";

export class FakeCerbyApi extends CerbyEmulator {
  constructor(data: CerbyData, apiKey: string) {
    super([{ id: "", data }]);
    this.addKey("", undefined, apiKey);
  }

  get data(): CerbyData {
    return this.workspaces.get("")!.data;
  }

  set data(data: CerbyData) {
    this.workspaces.get("")!.data = data;
  }

  get baseUrl(): string {
    return this.baseUrlOf("");
  }
}

/** A small, realistic workspace. */
export function smallWorkspace(): CerbyData {
  return {
    users: [
      user("u-carol", "carol@acme.example", "Login Only"),
      user("u-alice", "alice@acme.example", "Owner", { oktaUserId: "00ualice", lastLoginAt: "2026-01-01" }),
      user("u-bob", "bob@acme.example", "user"),
    ],
    teams: [team("t-social", "Social Media", "00gsocial"), team("t-agency", "Agency Partners")],
    accounts: [
      account("a-contentzilla", "Contentzilla", "Instagram", { by: "u-alice", at: "2026-02-01T09:00:00Z" }),
      account("a-vendor", "Vendor Portal", "Acme Vendors"),
    ],
    members: { "t-social": [ref("user", "u-alice")], "t-agency": [ref("user", "u-carol"), ref("user", "u-bob")] },
    accountUsers: {
      "a-contentzilla": [ref("user", "u-alice", "Owner"), ref("user", "u-bob", "Collaborator")],
      "a-vendor": [ref("user", "u-carol", "manager")],
    },
    accountTeams: { "a-contentzilla": [ref("team", "t-social", "collaborator")], "a-vendor": [ref("team", "t-agency", "owner")] },
  };
}

/** `n` accounts, each owned by one of `users` users. */
export function largeWorkspace(n: number, users = 7): CerbyData {
  const data = emptyData();
  for (let i = 0; i < users; i++) data.users.push(user(`u-${String(i).padStart(3, "0")}`, `user${i}@acme.example`));
  for (let i = 0; i < n; i++) {
    const id = `a-${String(i).padStart(5, "0")}`;
    data.accounts.push(account(id, `Account ${i}`, i % 2 ? "Instagram" : "X"));
    data.accountUsers[id] = [ref("user", `u-${String(i % users).padStart(3, "0")}`, "owner")];
  }
  // Server order is not ID order: the snapshot must sort.
  data.accounts.reverse();
  return data;
}
