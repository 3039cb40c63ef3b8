// The models package registers the gradients and its kernel fixes with the backend. Tests run on the CPU
// backend: for models this small it beats WASM's per-call overhead, and it is deterministic.
import { selectBackend } from '@tbptt/models';

await selectBackend('cpu');
