import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEventSequences, parseEventSequences } from './event-sequences';

const files = { eventFile: 'ev.txt', timeFile: 'tm.txt' };
const parse = (events: string, times: string) => parseEventSequences(events, times, files);

describe('parseEventSequences', () => {
  it('reads one sequence per line, marks 0-based, trailing spaces and a final newline allowed', () => {
    const data = parse('1 2 2 \n2 1 \n', '0.0 0.5 0.5 \n1.25 3 \n');
    expect(data.markCount).toBe(2);
    expect(data.events).toBe(5);
    expect(data.sequences.map((s) => Array.from(s.marks))).toEqual([
      [0, 1, 1],
      [1, 0],
    ]);
    expect(data.sequences.map((s) => Array.from(s.times))).toEqual([
      [0, 0.5, 0.5],
      [1.25, 3],
    ]);
  });

  it('honours firstMark', () => {
    const data = parseEventSequences('0 3\n', '0 1\n', files, { firstMark: 0 });
    expect(Array.from(data.sequences[0]!.marks)).toEqual([0, 3]);
    expect(data.markCount).toBe(4);
  });

  it.each([
    [
      'mismatched line counts',
      '1 2\n1 1\n',
      '0 1\n',
      /"ev.txt" has 2 lines but "tm.txt" has 1; "tm.txt" has no line 2/,
    ],
    ['more time lines', '1 2\n', '0 1\n2 3\n', /"tm.txt" has 2; "ev.txt" has no line 2/],
    [
      'mismatched values on a line',
      '1 2\n1 1 2\n',
      '0 1\n0 1\n',
      /line 2 has 3 marks in "ev.txt" but 2 times in "tm.txt"/,
    ],
    ['an empty event line', '1 2\n\n', '0 1\n0\n', /"ev.txt" line 2 is empty/],
    ['an empty time line', '1 2\n1\n', '0 1\n  \n', /"tm.txt" line 2 is empty/],
    [
      'a non-integer mark',
      '1 2\n1 1.5\n',
      '0 1\n0 1\n',
      /"ev.txt" line 2, value 2: "1.5" is not an integer mark ≥ 1/,
    ],
    ['a mark below firstMark', '0 2\n', '0 1\n', /"ev.txt" line 1, value 1: "0" is not an integer mark ≥ 1/],
    ['a word as a mark', '1 x\n', '0 1\n', /"ev.txt" line 1, value 2: "x" is not an integer mark/],
    [
      'a non-number time',
      '1 2\n',
      '0 abc\n',
      /"tm.txt" line 1, value 2: "abc" is not a finite decimal number/,
    ],
    ['an infinite time', '1 2\n', '0 Infinity\n', /"tm.txt" line 1, value 2: "Infinity" is not a finite/],
    [
      'non-monotone times',
      '1 2 1\n1 2 1\n',
      '0 1 2\n0 2 1.5\n',
      /"tm.txt" line 2, value 3: time 1.5 comes before the previous one \(2\); times must be non-decreasing/,
    ],
    ['empty files', '', '', /"ev.txt" and "tm.txt" are empty/],
  ])('names the file and line: %s', (_, events, times, message) => {
    expect(() => parse(events, times)).toThrow(message);
  });
});

describe('loadEventSequences', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tbptt-events-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the two files and names their paths in errors', async () => {
    const ev = join(dir, 'event.txt');
    const tm = join(dir, 'time.txt');
    await writeFile(ev, '1 2 1\n');
    await writeFile(tm, '0 0.1 0.05\n');
    await expect(loadEventSequences(ev, tm)).rejects.toThrow(
      `"${tm}" line 1, value 3: time 0.05 comes before`,
    );
    await writeFile(tm, '0 0.1 0.15\n');
    const data = await loadEventSequences(ev, tm);
    expect(Array.from(data.sequences[0]!.times)).toEqual([0, 0.1, 0.15]);
    await expect(loadEventSequences(join(dir, 'missing.txt'), tm)).rejects.toThrow(
      /loadEventSequences: cannot read ".*missing.txt": no such file/,
    );
    // With both files missing, the event file is the one named, every time.
    await expect(loadEventSequences(join(dir, 'missing-events.txt'), join(dir, 'gone.txt'))).rejects.toThrow(
      /cannot read ".*missing-events.txt": no such file/,
    );
  });
});
