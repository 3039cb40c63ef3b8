import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from './cache-dir';

describe('defaultCacheDir', () => {
  it('follows TBPTT_CACHE_DIR, then the platform cache folder', () => {
    expect(defaultCacheDir({ TBPTT_CACHE_DIR: '/c' }, 'linux', '/home/u')).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/home/u')).toBe(join('/x', 'tbptt'));
    expect(defaultCacheDir({}, 'linux', '/home/u')).toBe(join('/home/u', '.cache', 'tbptt'));
    expect(defaultCacheDir({}, 'darwin', '/Users/u')).toBe(join('/Users/u', 'Library', 'Caches', 'tbptt'));
    expect(defaultCacheDir({ LOCALAPPDATA: 'C:/L' }, 'win32', 'C:/U')).toBe(join('C:/L', 'tbptt', 'Cache'));
  });
});
