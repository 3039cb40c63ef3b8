/** Node: the cores this process may use (`os.availableParallelism`, else the CPU count). */
export async function nodeCoreCount(): Promise<number | undefined> {
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
