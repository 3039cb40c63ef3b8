export async function evaluateCommand(..._args: unknown[]): Promise<number> {
  throw new Error('evaluate: not yet');
}
