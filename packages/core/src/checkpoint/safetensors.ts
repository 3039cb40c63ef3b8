/**
 * The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data), for float32 and int32 tensors held as plain arrays.
 */
export interface NamedArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

export function encodeSafetensors(
  tensors: ReadonlyMap<string, NamedArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, { data, shape }] of tensors) {
    const bytes = data.byteLength;
    header[name] = {
      dtype: data instanceof Int32Array ? 'I32' : 'F32',
      shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { data } of tensors.values()) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): Map<string, NamedArray> {
  const fail = (why: string): never => {
    throw new Error(
      `decodeSafetensors: ${source} is not a valid safetensors file (${why}); rewrite the checkpoint`,
    );
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) fail(`header length ${headerLength} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return fail('header is not JSON');
  }
  const base = 8 + headerLength;
  const out = new Map<string, NamedArray>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = entry.data_offsets;
    if (base + end > bytes.length || end < begin)
      fail(`tensor ${name} has byte range [${begin}, ${end}) outside the data`);
    // A fresh, aligned copy (a Node Buffer's slice would share the pooled memory).
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(base + begin, base + end));
    if (entry.dtype === 'F32') out.set(name, { data: new Float32Array(copy.buffer), shape: entry.shape });
    else if (entry.dtype === 'I32') out.set(name, { data: new Int32Array(copy.buffer), shape: entry.shape });
    else fail(`tensor ${name} has dtype ${entry.dtype}; only F32 and I32 are read`);
  }
  return out;
}
