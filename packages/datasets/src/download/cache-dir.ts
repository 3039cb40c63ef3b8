import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The default cache folder for downloaded corpora, as env-paths chooses a user cache folder:
 * `$TBPTT_CACHE_DIR` if set; otherwise on Linux and other Unix `$XDG_CACHE_HOME/tbptt`
 * (default `~/.cache/tbptt`), on macOS `~/Library/Caches/tbptt`, on Windows
 * `%LOCALAPPDATA%\tbptt\Cache`.
 */
export function defaultCacheDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  const override = env.TBPTT_CACHE_DIR;
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tbptt');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'tbptt', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'tbptt');
}
