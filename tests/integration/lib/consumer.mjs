/**
 * A user's project made from packed tarballs: `npm pack` every workspace package, then install the tarballs
 * into a fresh folder with `npm ci --offline`. No workspace links: the folder is outside the monorepo and
 * its lockfile is written here — our tarballs by integrity, every third-party package at the version the
 * monorepo's lockfile holds (so the npm cache that `npm ci` filled at the root serves it without a network).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const semver = require('semver');

/** The publishable workspace packages (not private), in dependency order enough for packing. */
export function workspacePackages() {
  const dirs = readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
  return dirs
    .filter((d) => {
      try {
        return !JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).private;
      } catch {
        return false;
      }
    })
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }));
}

/** Packs every publishable package into `out`; returns name, file, packed and unpacked bytes, integrity. */
export function packAll(out) {
  mkdirSync(out, { recursive: true });
  return workspacePackages().map(({ dir }) => {
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(json);
    return {
      name: info.name,
      version: info.version,
      file: path.join(out, info.filename),
      size: info.size,
      unpackedSize: info.unpackedSize,
      integrity: info.integrity,
      files: info.files.map((f) => f.path),
      manifest: tarballManifest(path.join(out, info.filename)),
    };
  });
}

/** The package.json inside a tarball. */
export function tarballManifest(file) {
  return JSON.parse(execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' }));
}

/**
 * Writes `dir/package.json` and `dir/package-lock.json` for a project that depends on the tarballs (and
 * `extra`, names of third-party packages in the monorepo's lockfile), then runs `npm ci --offline`.
 */
export function installConsumer(
  dir,
  tarballs,
  { extra = {}, type = 'module', lockfile = path.join(root, 'package-lock.json') } = {},
) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const monoLock = JSON.parse(readFileSync(lockfile, 'utf8')).packages;
  const ours = new Map(tarballs.map((t) => [t.name, t]));
  const dependencies = {};
  for (const t of tarballs) dependencies[t.name] = `file:${path.relative(dir, t.file)}`;
  Object.assign(dependencies, extra);
  const manifest = { name: 'tbptt-consumer', version: '1.0.0', private: true, type, dependencies };
  const packages = { '': { name: manifest.name, version: manifest.version, dependencies } };
  // Node's lookup from a package at lockfile path `from`: its own node_modules, then each parent's.
  const lookup = (name, from) => {
    const parts = from === '' ? [] : from.split('/');
    for (;;) {
      const key = [...parts, 'node_modules', name].join('/');
      if (monoLock[key] && !monoLock[key].link) return key;
      if (parts.length === 0) return undefined;
      // drop one "node_modules/<name>" (or "node_modules/@scope/name") level
      const i = parts.lastIndexOf('node_modules');
      parts.length = Math.max(0, i);
    }
  };
  // Workspace folders (packages/<dir>) in the monorepo's lockfile are node_modules/<name> in the project.
  const workspaceDir = new Map(
    workspacePackages().map(({ dir, manifest: m }) => [path.relative(root, dir), `node_modules/${m.name}`]),
  );
  const toConsumer = (key) => {
    for (const [dirKey, consumerKey] of workspaceDir) {
      if (key.startsWith(`${dirKey}/`)) return consumerKey + key.slice(dirKey.length);
    }
    return key;
  };
  const toMono = (key) => {
    for (const [dirKey, consumerKey] of workspaceDir) if (key === consumerKey) return dirKey;
    return key;
  };
  const queue = Object.entries(dependencies).map(([name, range]) => ({ name, range, from: '' }));
  while (queue.length > 0) {
    const { name, range, from, optional } = queue.shift();
    if (ours.has(name)) {
      const key = `node_modules/${name}`;
      if (packages[key]) continue;
      const t = ours.get(name);
      const m = t.manifest;
      const entry = {
        version: t.version,
        resolved: `file:${path.relative(dir, t.file)}`,
        integrity: t.integrity,
      };
      for (const field of [
        'dependencies',
        'optionalDependencies',
        'peerDependencies',
        'peerDependenciesMeta',
        'engines',
        'bin',
      ]) {
        if (m[field]) entry[field] = m[field];
      }
      packages[key] = entry;
      for (const [n, r] of Object.entries(m.dependencies ?? {})) queue.push({ name: n, range: r, from: key });
      continue;
    }
    const monoKey = lookup(name, toMono(from));
    const key = monoKey && toConsumer(monoKey);
    if (!key) {
      if (optional) continue;
      throw new Error(
        `installConsumer: ${name}@${range} (needed by ${from || 'the project'}) is not in ${lockfile}`,
      );
    }
    const mono = monoLock[monoKey];
    if (!semver.satisfies(mono.version, range)) {
      throw new Error(
        `installConsumer: ${from || 'the project'} needs ${name}@${range}, ${lockfile} has ${mono.version} at ${key}`,
      );
    }
    if (packages[key]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = mono;
    if (!entry.resolved) {
      entry.resolved = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${mono.version}.tgz`;
    }
    packages[key] = entry;
    for (const [n, r] of Object.entries(mono.dependencies ?? {}))
      queue.push({ name: n, range: r, from: key });
    for (const [n, r] of Object.entries(mono.optionalDependencies ?? {})) {
      queue.push({ name: n, range: r, from: key, optional: true });
    }
    // npm installs required peers; optional ones only when something else brings them.
    for (const [n, r] of Object.entries(mono.peerDependencies ?? {})) {
      if (mono.peerDependenciesMeta?.[n]?.optional !== true) queue.push({ name: n, range: r, from: key });
    }
  }
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages,
  };
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return manifest;
}

/** Bytes under `dir` (files' sizes, as `du -sb` counts apparent size), and the part under each top folder. */
export function folderBytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    total += st.isDirectory() && !st.isSymbolicLink() ? folderBytes(p) : st.size;
  }
  return total;
}
