import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('round-trips float32 and int32 tensors with the standard layout', () => {
    const tensors = new Map([
      ['a.weight', { data: Float32Array.from([1.5, -2, 3.25]), shape: [3] }],
      ['b', { data: Int32Array.from([7, 8, 9, 10]), shape: [2, 2] }],
    ]);
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    // 8-byte little-endian header length, then the JSON header, padded so the data starts 8-aligned.
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header['a.weight']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    expect(header.b).toEqual({ dtype: 'I32', shape: [2, 2], data_offsets: [12, 28] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const back = decodeSafetensors(Buffer.from(bytes));
    expect(Array.from(back.get('a.weight')!.data)).toEqual([1.5, -2, 3.25]);
    expect(back.get('b')!.data).toBeInstanceOf(Int32Array);
    expect(Array.from(back.get('b')!.data)).toEqual([7, 8, 9, 10]);
  });

  it('refuses a truncated file, naming it', () => {
    const bytes = encodeSafetensors(new Map([['x', { data: new Float32Array(4), shape: [4] }]]));
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'w.safetensors')).toThrow(
      /w.safetensors is not a valid safetensors file \(tensor x has byte range/,
    );
  });
});
