import type { RecurrentModel } from '../types';
import { decodeSafetensors } from './safetensors';
import { serializeWeights } from './serialize-weights';
import { loadStateDict } from './state-dict';

/**
 * Writes the model's weights to `path` as safetensors (see {@link serializeWeights}), atomically: the bytes go
 * to a temporary file beside it, which is then renamed over `path`, so a crash never leaves a half-written
 * file. Node only (node:fs is imported when called).
 */
export async function saveWeights(model: RecurrentModel, path: string): Promise<void> {
  const { writeFile, rename, rm } = await import('node:fs/promises');
  const bytes = new Uint8Array(serializeWeights(model));
  const temporary = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`saveWeights: could not write ${path} (${(error as Error).message})`);
  }
}

/**
 * Reads safetensors weights from `path` into the model. Names and layouts are PyTorch's state_dict, so a
 * file from `safetensors.torch.save_file(model.state_dict(), path)` loads. Node only.
 */
export async function loadWeights(model: RecurrentModel, path: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`loadWeights: could not read ${path} (${(error as Error).message})`);
  }
  let tensors: ReturnType<typeof decodeSafetensors>['tensors'];
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (error) {
    throw new Error(`loadWeights: ${path}: ${(error as Error).message}`);
  }
  loadStateDict(model, tensors, `loadWeights: ${path}`);
}
