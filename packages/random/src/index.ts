export { fillNormal, standardNormal } from './normal.js';
export type { Prng } from './prng.js';
export { createPrng, validatePrngState } from './prng.js';
export type { RngStreamName } from './streams.js';
export { RNG_STREAMS, resolveStream } from './streams.js';
export { fillUniform } from './uniform.js';
export { uniformInt } from './uniform-int.js';
