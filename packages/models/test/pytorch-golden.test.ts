import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from './helpers/cpu-backend';
import { checkGoldenFixture, fixtures } from './helpers/golden';

/** Golden tests against PyTorch on the cpu backend (see helpers/golden.ts and scripts/make-fixtures.py). */
beforeAll(useCpuBackend);

describe('agreement with PyTorch', () => {
  it('has a fixture for every cell type, with embedding and dense input', () => {
    const kinds = new Set(fixtures.map((f) => `${f.spec.cell}/${f.spec.input}`));
    for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu']) {
      expect(kinds).toContain(`${cell}/embedding`);
      expect(kinds).toContain(`${cell}/dense`);
    }
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_, fixture) => {
    await checkGoldenFixture(fixture);
  });
});
