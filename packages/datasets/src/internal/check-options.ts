/** Checks that `value` is an integer ≥ `min`, with an error naming `caller` and `name`. */
export function checkInteger(caller: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${caller}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** Checks that `seed` is a safe integer (what `createPrng` of @tbptt/random accepts). */
export function checkSeed(caller: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${caller}: seed must be a safe integer, got ${seed}`);
  }
}
