export async function generateCommand(..._args: unknown[]): Promise<number> {
  throw new Error('generate: not yet');
}
