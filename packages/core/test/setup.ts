// The models package registers the gradients and its kernel fixes with the backend. Tests run on the CPU
// backend by default: for models this small it beats WASM's per-call overhead, and it is deterministic.
// TBPTT_TEST_BACKEND=wasm runs the same suite on WASM (with the models' fused kernels).
import { selectBackend } from '@tbptt/models';

await selectBackend((process.env.TBPTT_TEST_BACKEND as 'cpu' | 'wasm' | undefined) ?? 'cpu');
