export async function reportCommand(..._args: unknown[]): Promise<number> {
  throw new Error('report: not yet');
}
