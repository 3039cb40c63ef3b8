// @tbptt/random: one seed, independent named streams, state as plain data.
import { createPrng, standardNormal, uniformInt } from '@tbptt/random';

const rng = createPrng(42, 'dropout');
console.log(
  `uint32 ${rng.nextUint32()}, float ${rng.nextFloat().toFixed(6)}, int in [0, 10) ${uniformInt(rng, 10)}`,
);
const saved = rng.getState(); // four uint32 numbers, JSON-safe
const a = standardNormal(rng);
rng.setState(saved);
const b = standardNormal(rng);
console.log(
  `normal ${a.toFixed(6)}; after restoring the state: ${b.toFixed(6)} (${a === b ? 'same' : 'different'})`,
);
// Column 3's data stream: independent of the batch size and of every other stream.
console.log(`data stream, column 3: ${createPrng(42, 'data', 3).nextUint32()}`);
