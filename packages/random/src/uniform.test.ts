import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.js';
import { fillUniform } from './uniform.js';

describe('fillUniform', () => {
  it('maps each 32-bit draw u to low + (high − low)·u', () => {
    const out = fillUniform(createPrng(4, 'init'), new Float64Array(100), -0.25, 0.75);
    const twin = createPrng(4, 'init');
    for (const x of out) expect(x).toBe(-0.25 + 1 * twin.nextFloat());
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...out)).toBeLessThan(0.75);
  });
});
