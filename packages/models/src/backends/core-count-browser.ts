/** Browsers: no Node core count (`navigator.hardwareConcurrency` is read where it is needed). */
export async function nodeCoreCount(): Promise<number | undefined> {
  return undefined;
}

/** Browsers: no load average (the cores are taken to be free). */
export async function nodeBusyCores(): Promise<number | undefined> {
  return undefined;
}
