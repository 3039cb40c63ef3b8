/** Browsers: no Node core count (`navigator.hardwareConcurrency` is read where it is needed). */
export async function nodeCoreCount(): Promise<number | undefined> {
  return undefined;
}
