/**
 * A small reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
 *
 *     [8 bytes: header length N, little-endian uint64][N bytes: JSON header][data section]
 *
 * The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (byte offsets into the
 * data section) and may hold "__metadata__": { string: string }. Data are raw little-endian values.
 * This module writes F32 and reads F32, F64, F16 and BF16 (converted to float32).
 */

/** A float32 tensor as plain data, row-major. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Decoded file: tensors in file (data) order and the string metadata. */
export interface SafetensorsContents {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
/** Refuse headers above this size: a corrupt length field would otherwise allocate gigabytes. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const ALIGNMENT = 8;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encodes tensors (float32, written in iteration order) and optional string metadata as a safetensors file. */
export function encodeSafetensors(
  tensors: Iterable<[string, NamedTensor]>,
  metadata: Record<string, string> = {},
): ArrayBuffer {
  // A prototype-less object, so that any string (even "__proto__") is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__')
      throw new Error('encodeSafetensors: "__metadata__" is reserved as a tensor name');
    const count = elementCount(tensor.shape);
    if (count !== tensor.data.length) {
      throw new Error(
        `encodeSafetensors: tensor ${name} has shape [${tensor.shape.join(', ')}] (${count} values) ` +
          `but ${tensor.data.length} values`,
      );
    }
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding = (ALIGNMENT - ((8 + headerBytes.length) % ALIGNMENT)) % ALIGNMENT;
  if (padding > 0) {
    json += ' '.repeat(padding);
    headerBytes = encoder.encode(json);
  }
  const buffer = new ArrayBuffer(8 + headerBytes.length + offset);
  const view = new DataView(buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  new Uint8Array(buffer, 8, headerBytes.length).set(headerBytes);
  let position = 8 + headerBytes.length;
  for (const [, tensor] of entries) {
    for (let i = 0; i < tensor.data.length; i++, position += 4)
      view.setFloat32(position, tensor.data[i]!, true);
  }
  return buffer;
}

/** float16 bits -> number */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function readValues(view: DataView, start: number, count: number, dtype: string): Float32Array {
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(start + 2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        scratch.setUint32(0, view.getUint16(start + 2 * i, true) << 16);
        out[i] = scratch.getFloat32(0);
      }
      break;
    }
  }
  return out;
}

/**
 * Decodes a safetensors file. Throws a message naming the problem on a truncated or corrupt file, an
 * unsupported dtype, or a tensor whose byte range does not match its shape.
 */
export function decodeSafetensors(file: ArrayBuffer | ArrayBufferView): SafetensorsContents {
  const bytes =
    file instanceof ArrayBuffer
      ? new Uint8Array(file)
      : new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const fail = (problem: string): never => {
    throw new Error(`decodeSafetensors: ${problem}`);
  };
  if (bytes.length < 8) {
    fail(
      `the file has ${bytes.length} bytes, fewer than the 8-byte header length; is it a safetensors file?`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    fail(
      `the header length field says ${headerLength} bytes but the file has ${bytes.length} bytes; ` +
        'the file is truncated or not a safetensors file',
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message}); the file is corrupt`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('the header is not a JSON object; the file is corrupt');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const found: { name: string; begin: number; tensor: NamedTensor }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || BYTES_PER_ELEMENT[dtype] === undefined) {
      fail(
        `tensor ${name} has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(BYTES_PER_ELEMENT).join(', ')}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor ${name} has shape ${JSON.stringify(shape)}; expected a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      fail(
        `tensor ${name} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with begin <= end`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const count = elementCount(shape as number[]);
    const bytesPer = BYTES_PER_ELEMENT[dtype as string]!;
    if (end - begin !== count * bytesPer) {
      fail(
        `tensor ${name} has shape [${(shape as number[]).join(', ')}] (${count * bytesPer} bytes of ${dtype}) ` +
          `but data_offsets [${begin}, ${end}] (${end - begin} bytes)`,
      );
    }
    if (end > dataLength) {
      fail(
        `tensor ${name} needs bytes [${begin}, ${end}) of the data section, which has only ${dataLength} bytes; ` +
          'the file is truncated',
      );
    }
    found.push({
      name,
      begin,
      tensor: {
        shape: [...(shape as number[])],
        data: readValues(view, dataStart + begin, count, dtype as string),
      },
    });
  }
  // File order is data order: JSON objects list integer-like keys ("0", "1") first, whatever the writer did.
  found.sort((a, b) => a.begin - b.begin);
  return { tensors: new Map(found.map((f) => [f.name, f.tensor])), metadata };
}
