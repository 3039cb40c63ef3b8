import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A wasm `Identity` that shares its input's memory (reference count + 1) instead of copying it.
 *
 * tfjs clones every tensor a gradient saves for the backward pass (`engine.saveTensorsForBackwardMode`
 * runs `Identity`), and the stock wasm Identity mallocs and copies. Tensors are immutable, so sharing is
 * exact; it is what the cpu backend and wasm's own `Reshape` already do.
 */
interface WasmBackendLike {
  incRef(dataId: object): void;
}

function sharedIdentity(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}

/** The replacement for the stock wasm `Identity` config. */
export function sharedIdentityConfig(stock: KernelConfig | undefined): KernelConfig {
  if (stock == null) throw new Error('sharedIdentityConfig: no stock Identity kernel to wrap');
  return { ...stock, kernelFunc: sharedIdentity(stock) };
}
