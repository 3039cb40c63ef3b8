export async function sweepCommand(..._args: unknown[]): Promise<number> {
  throw new Error('sweep: not yet');
}
