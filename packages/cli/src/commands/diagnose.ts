export async function diagnoseCommand(..._args: unknown[]): Promise<number> {
  throw new Error('diagnose: not yet');
}
