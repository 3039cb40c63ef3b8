import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors';
import { parsePartialOptions, type TrainOptions } from './train-options';

/** The committed preset files: `packages/cli/presets/<name>.json` (train options in camelCase + a description). */
export const PRESET_DIR = fileURLToPath(new URL('../presets/', import.meta.url));

export interface Preset {
  name: string;
  description: string;
  options: Partial<TrainOptions>;
}

/** Names of the presets shipped with the package. */
export function presetNames(dir = PRESET_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** Reads preset `name`; an unknown name lists the known ones. */
export function loadPreset(name: string, dir = PRESET_DIR): Preset {
  const names = presetNames(dir);
  if (!names.includes(name)) {
    throw new UsageError(`--preset must be one of ${names.join(', ')}, got ${name}`);
  }
  const file = `${dir}${name}.json`;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return {
    name,
    description: typeof data.description === 'string' ? data.description : '',
    options: parsePartialOptions(data, `preset ${name}`),
  };
}
