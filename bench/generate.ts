// Generates a large format-v1 workspace for benchmarks: every account has 3
// direct users (one owner) and 2 teams (one IdP-managed, one self-managed).
export interface GenerateOptions {
  readonly accounts: number;
  readonly workspaceId?: string;
}

export function generateWorkspace({ accounts, workspaceId = "ws-bench" }: GenerateOptions) {
  const userCount = Math.max(10, Math.ceil(accounts / 5));
  const teamCount = Math.max(4, Math.ceil(accounts / 20));
  const users = Array.from({ length: userCount }, (_, index) => ({
    id: `u-${index}`,
    email: `user${index}@bench.example`,
    ...(index % 10 === 9 ? {} : { oktaUserId: `00u${index.toString(36).padStart(8, "0")}` }),
    workspaceRole: index % 50 === 49 ? "login_only" : "user",
    ...(index % 100 === 98 ? { oktaStatus: "SUSPENDED" } : {}),
  }));
  const teams = Array.from({ length: teamCount }, (_, index) =>
    index % 2 === 0
      ? { id: `t-${index}`, name: `IdP team ${index}`, oktaGroupId: `00g${index.toString(36).padStart(8, "0")}` }
      : { id: `t-${index}`, name: `Team ${index}`, members: [0, 1, 2, 3, 4].map((offset) => `u-${(index * 7 + offset) % userCount}`) },
  );
  const apps = ["Instagram", "TikTok", "X", "Facebook", "LinkedIn"];
  const accountList = Array.from({ length: accounts }, (_, index) => {
    const owner = `u-${(index * 3) % userCount}`;
    const collaborators = [`u-${(index * 3 + 1) % userCount}`, `u-${(index * 3 + 2) % userCount}`];
    return {
      id: `a-${index}`,
      // Every 25th name repeats, so labels collide and get numbered.
      name: `Brand ${index % 25 === 0 ? "Shared" : index}`,
      app: apps[index % apps.length]!,
      grants: [
        { user: owner, role: "owner" },
        ...collaborators.map((user) => ({ user, role: "collaborator" })),
        { team: `t-${(index * 2) % teamCount}`, role: "collaborator" },
        { team: `t-${(index * 2 + 1) % teamCount}`, role: "collaborator" },
      ],
      okta: {
        extendedBy: owner,
        extendedAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
      },
    };
  });
  return {
    version: 1,
    workspace: {
      id: workspaceId,
      name: "Benchmark",
      extendedAccountAccess: true,
      okta: { orgName: "bench", baseUrl: "okta.com" },
    },
    users,
    teams,
    accounts: accountList,
  };
}
