import { describe, expect, it } from 'vitest';
import { inOrder } from './in-order';

const later = <T>(ms: number, value: T, fail = false): Promise<T> =>
  new Promise((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms),
  );

describe('inOrder', () => {
  it('resolves to the values in list order', async () => {
    await expect(inOrder<[number, string]>([later(20, 1), later(1, 'b')])).resolves.toEqual([1, 'b']);
  });

  it('throws the first failure in list order even when a later one fails first', async () => {
    await expect(inOrder([later(30, 'first', true), later(1, 'second', true)])).rejects.toThrow(/^first$/);
    await expect(
      inOrder([later(1, 'ok'), later(30, 'second', true), later(1, 'third', true)]),
    ).rejects.toThrow(/^second$/);
  });
});
