import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

/** Builds a file by hand: header JSON and raw bytes, independently of encodeSafetensors. */
function handMade(header: object, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the documented layout: LE length, JSON header padded to 8 bytes, LE float32 data', () => {
    const file = encodeSafetensors(
      [
        ['b', { shape: [2], data: new Float32Array([1.5, -2]) }],
        ['a', { shape: [1, 1], data: new Float32Array([3]) }],
      ],
      { format: 'pt' },
    );
    const view = new DataView(file);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(file, 8, n)));
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      a: { dtype: 'F32', shape: [1, 1], data_offsets: [8, 12] },
    });
    expect(view.getFloat32(8 + n, true)).toBe(1.5);
    expect(view.getFloat32(8 + n + 4, true)).toBe(-2);
    expect(view.getFloat32(8 + n + 8, true)).toBe(3);
    expect(file.byteLength).toBe(8 + n + 12);
  });

  it('round-trips tensors, order and metadata', () => {
    const data = new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const decoded = decodeSafetensors(
      encodeSafetensors(
        [
          ['w', { shape: [2, 3], data }],
          ['empty', { shape: [0, 4], data: new Float32Array(0) }],
        ],
        {
          note: 'x',
        },
      ),
    );
    expect([...decoded.tensors.keys()]).toEqual(['w', 'empty']);
    expect(decoded.tensors.get('w')).toEqual({ shape: [2, 3], data });
    expect(decoded.tensors.get('empty')!.shape).toEqual([0, 4]);
    expect(decoded.metadata).toEqual({ note: 'x' });
  });

  it('reads F64, F16 and BF16 as float32, from a Uint8Array view at an offset', () => {
    const bytes = new Uint8Array(8 + 4 + 4);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, 0.25, true);
    view.setUint16(8, 0x3c00, true); // f16 1.0
    view.setUint16(10, 0xc000, true); // f16 -2.0
    view.setUint16(12, 0x3fc0, true); // bf16 1.5
    view.setUint16(14, 0x4049, true); // bf16 ≈ 3.140625
    const file = handMade(
      {
        d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
        h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [12, 16] },
      },
      bytes,
    );
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const { tensors } = decodeSafetensors(padded.subarray(3));
    expect(Array.from(tensors.get('d')!.data)).toEqual([0.25]);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1.5, 3.140625]);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['a too short file', new Uint8Array(5), /has 5 bytes, fewer than the 8-byte header length/],
    [
      'a header length past the end',
      handMade({}, new Uint8Array(0), 1000),
      /header length field says 1000 bytes but the file has 10 bytes; the file is truncated/,
    ],
    [
      'a header that is not JSON',
      handMade({ a: 1 }, new Uint8Array(0)).map((b, i) => (i === 9 ? 0x7b : b)),
      /not valid JSON/,
    ],
    [
      'an unknown dtype',
      handMade({ x: { dtype: 'I8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /tensor x has dtype "I8"; supported: F32, F64, F16, BF16/,
    ],
    [
      'offsets that disagree with the shape',
      handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /tensor x has shape \[3\] \(12 bytes of F32\) but data_offsets \[0, 8\] \(8 bytes\)/,
    ],
    [
      'a truncated data section',
      handMade({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(10)),
      /tensor x needs bytes \[0, 16\) of the data section, which has only 10 bytes; the file is truncated/,
    ],
    [
      'a bad shape',
      handMade({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)),
      /tensor x has shape \[-1\]/,
    ],
  ])('refuses %s', (_, file, message) => {
    expect(() => decodeSafetensors(file)).toThrow(message);
  });

  it('refuses to encode data that does not fit the shape', () => {
    expect(() => encodeSafetensors([['w', { shape: [2, 2], data: new Float32Array(3) }]])).toThrow(
      /tensor w has shape \[2, 2\] \(4 values\) but 3 values/,
    );
  });
});

describe('safetensors round trip (property)', () => {
  it('decode(encode(tensors)) gives back every name, shape and float32 value, in data order', () => {
    const tensorArbitrary = fc
      .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 })
      .chain((shape) =>
        fc
          .array(fc.float({ noNaN: true }), {
            minLength: shape.reduce((a, b) => a * b, 1),
            maxLength: shape.reduce((a, b) => a * b, 1),
          })
          .map((values) => ({ shape, data: Float32Array.from(values) })),
      );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), tensorArbitrary), {
          selector: ([name]) => name,
          maxLength: 5,
        }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        (entries, metadata) => {
          const named = entries.filter(([name]) => name !== '__metadata__');
          const decoded = decodeSafetensors(encodeSafetensors(named, metadata));
          expect([...decoded.tensors.keys()].sort()).toEqual(named.map(([name]) => name).sort());
          // Order is data order, defined for tensors that hold data (empty ones share an offset).
          const withData = (names: string[]) =>
            names.filter((n) => named.find(([m]) => m === n)![1].data.length > 0);
          expect(withData([...decoded.tensors.keys()])).toEqual(withData(named.map(([name]) => name)));
          for (const [name, tensor] of named) {
            expect(decoded.tensors.get(name)!.shape).toEqual(tensor.shape);
            expect(Array.from(decoded.tensors.get(name)!.data)).toEqual(Array.from(tensor.data));
          }
          expect(decoded.metadata).toEqual(Object.keys(metadata).length > 0 ? metadata : {});
        },
      ),
      { numRuns: 200 },
    );
  });
});
