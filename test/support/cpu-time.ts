// Time budgets for work done in the test's own process, counted in CPU time
// (user + system) rather than on the wall clock: a machine kept busy by other
// processes stretches the wall clock, not the CPU time the work itself takes.

/** Runs `work`, returning its result and the CPU milliseconds this process spent meanwhile. */
export async function withCpuTime<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const spent = process.cpuUsage(before);
  return { result, cpuMs: (spent.user + spent.system) / 1000 };
}
