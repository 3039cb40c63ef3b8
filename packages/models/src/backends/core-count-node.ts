/** Node: the cores this process may use (`os.availableParallelism`, else the CPU count). */
export async function nodeCoreCount(): Promise<number | undefined> {
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Node: how many cores other work keeps busy, the 1-minute load average (runnable threads, averaged).
 * Windows reports 0.
 */
export async function nodeBusyCores(): Promise<number | undefined> {
  const os = await import('node:os');
  return os.loadavg()[0];
}
