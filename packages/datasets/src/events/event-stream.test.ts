import { describe, expect, it } from 'vitest';
import { parseEventSequences } from './event-sequences';
import { batchifyEvents, eventRows, eventStreams, sliceEventRows } from './event-stream';

const files = { eventFile: 'e', timeFile: 't' };

describe('eventRows', () => {
  it('gives [onehot(m_j), flag, Δ_j] -> [m_{j+1}, Δ_{j+1}] per event pair, sequences one after another', () => {
    const data = parseEventSequences('1 2 2\n2 1\n', '0 0.5 2\n10 10.25\n', files);
    const rows = eventRows(data);
    expect(rows.rows).toBe(3); // (3 − 1) + (2 − 1)
    expect(rows.features).toBe(4);
    const inputs = Array.from({ length: 3 }, (_, r) => Array.from(rows.inputs.subarray(r * 4, r * 4 + 4)));
    const targets = Array.from({ length: 3 }, (_, r) => Array.from(rows.targets.subarray(r * 2, r * 2 + 2)));
    expect(inputs).toEqual([
      [1, 0, 1, 0], // mark 0, new sequence, no previous gap
      [0, 1, 0, 0.5],
      [0, 1, 1, 0], // second sequence starts: mark 1, flag
    ]);
    expect(targets).toEqual([
      [1, 0.5],
      [1, 1.5],
      [0, 0.25],
    ]);
  });

  it('scales gaps and widens the one-hot to markCount', () => {
    const data = parseEventSequences('1 1\n', '0 0.5\n', files);
    const rows = eventRows(data, { markCount: 3, timeScale: 4 });
    expect(Array.from(rows.inputs)).toEqual([1, 0, 0, 1, 0]);
    expect(Array.from(rows.targets)).toEqual([0, 2]);
    expect(() => eventRows(parseEventSequences('1 3\n', '0 1\n', files), { markCount: 2 })).toThrow(
      "eventRows: markCount must be an integer ≥ the data's 3 marks",
    );
  });
});

describe('batchifyEvents', () => {
  it('column b reads rows [b·T, (b+1)·T) and the remainder is dropped, as batchify', () => {
    // 7 rows with targets (r, r/10): B = 3 -> T = 2, row 6 dropped
    const rows = {
      inputs: Float32Array.from({ length: 7 * 3 }, (_, i) => i),
      targets: Float32Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? i / 2 : i / 20)),
      rows: 7,
      markCount: 1,
      features: 3,
    };
    const stream = batchifyEvents(rows, 3);
    expect([stream.steps, stream.batch]).toEqual([2, 3]);
    for (let t = 0; t < 2; t++) {
      for (let b = 0; b < 3; b++) {
        const src = b * 2 + t;
        const dst = t * 3 + b;
        expect(Array.from(stream.inputs.subarray(dst * 3, dst * 3 + 3))).toEqual([
          src * 3,
          src * 3 + 1,
          src * 3 + 2,
        ]);
        expect(stream.targets[dst * 2]).toBe(src);
      }
    }
    expect(() => batchifyEvents(rows, 8)).toThrow(
      'batchifyEvents: batch (8) is larger than the number of rows (7)',
    );
  });
});

describe('eventStreams', () => {
  it('halves the test rows by position into valid and test', () => {
    const train = parseEventSequences('1 2 1 2 1\n', '0 1 2 3 4\n', files);
    const test = parseEventSequences('1 2 2\n2 1 1\n', '0 1 3\n0 5 6\n', files); // 4 rows
    const streams = eventStreams({ train, test }, { batch: 2, evalBatch: 1 });
    const testRows = eventRows(test, { markCount: 2 });
    expect(Array.from(streams.valid.targets)).toEqual(Array.from(sliceEventRows(testRows, 0, 2).targets));
    expect(Array.from(streams.test.targets)).toEqual(Array.from(sliceEventRows(testRows, 2, 4).targets));
    expect(Array.from(streams.valid.targets)).toEqual([1, 1, 1, 2]);
    expect(Array.from(streams.test.targets)).toEqual([0, 5, 0, 1]);
    expect([streams.train.steps, streams.train.batch]).toEqual([2, 2]);
  });
});
