/**
 * Like Promise.all, but a failure is the first failing promise's in list order, not the first to fail in
 * time: a folder with several missing or damaged files is always reported by the same file.
 */
export async function inOrder<T extends readonly unknown[]>(
  promises: { readonly [I in keyof T]: Promise<T[I]> },
): Promise<T> {
  const settled = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const values: unknown[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as unknown as T;
}
