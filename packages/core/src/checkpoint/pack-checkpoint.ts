import { decodeSafetensors, encodeSafetensors } from '@tbptt/models';
import type { CheckpointFiles } from './checkpoint-files';

const MAGIC = 'tbptt-checkpoint';

/**
 * One checkpoint as one buffer: an 8-byte little-endian header length, a JSON header
 * `{ format: 'tbptt-checkpoint', version: 1, files: { name: [offset, length] } }`, then the same files a
 * checkpoint directory holds (weights/optimizer/state/best `.safetensors`, `trainer.json`) back to back.
 * Pure (no I/O): for browsers (download it, keep it in IndexedDB) and for moving a checkpoint as one file.
 */
export function packCheckpoint(files: CheckpointFiles): Uint8Array {
  const parts: [string, Uint8Array][] = [
    ['weights.safetensors', files.weights],
    ['optimizer.safetensors', new Uint8Array(encodeSafetensors(files.optimizer))],
    ['state.safetensors', new Uint8Array(encodeSafetensors(files.state))],
    ...(files.best
      ? ([['best.safetensors', new Uint8Array(encodeSafetensors(files.best))]] as [string, Uint8Array][])
      : []),
    ['trainer.json', new TextEncoder().encode(JSON.stringify(files.trainer))],
  ];
  const index: Record<string, [number, number]> = {};
  let offset = 0;
  for (const [name, bytes] of parts) {
    index[name] = [offset, bytes.byteLength];
    offset += bytes.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({ format: MAGIC, version: 1, files: index }));
  const out = new Uint8Array(8 + header.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  out.set(header, 8);
  for (const [name, bytes] of parts) out.set(bytes, 8 + header.byteLength + index[name]![0]);
  return out;
}

/** Reads a buffer written by {@link packCheckpoint}; errors say what is wrong with it. */
export function unpackCheckpoint(buffer: ArrayBuffer | Uint8Array): CheckpointFiles {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const fail = (problem: string): never => {
    throw new Error(
      `unpackCheckpoint: ${problem}; pass the bytes packCheckpoint or exportCheckpoint returned`,
    );
  };
  if (bytes.byteLength < 8) fail(`got ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength)
    fail(`the header claims ${headerLength} bytes, the buffer is shorter`);
  let header: { format?: string; version?: number; files?: Record<string, [number, number]> } = {};
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`the header is not JSON (${(error as Error).message})`);
  }
  if (header.format !== MAGIC || header.version !== 1 || typeof header.files !== 'object') {
    fail(`the header is not a version 1 ${MAGIC} header (got ${JSON.stringify(header).slice(0, 80)})`);
  }
  const body = 8 + headerLength;
  const file = (name: string): Uint8Array | undefined => {
    const where = header.files![name];
    if (!where) return undefined;
    const [offset, length] = where;
    if (!(offset >= 0 && length >= 0 && body + offset + length <= bytes.byteLength)) {
      fail(
        `${name} lies outside the buffer ([${offset}, ${offset + length}) past ${bytes.byteLength - body})`,
      );
    }
    return bytes.slice(body + offset, body + offset + length);
  };
  const need = (name: string): Uint8Array => file(name) ?? fail(`${name} is missing`);
  const best = file('best.safetensors');
  return {
    weights: need('weights.safetensors'),
    optimizer: decodeSafetensors(need('optimizer.safetensors')).tensors,
    state: decodeSafetensors(need('state.safetensors')).tensors,
    ...(best ? { best: decodeSafetensors(best).tensors } : {}),
    trainer: JSON.parse(new TextDecoder().decode(need('trainer.json'))),
  };
}
