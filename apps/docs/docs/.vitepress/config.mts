import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { katex } from '@mdit/plugin-katex';
import { type DefaultTheme, defineConfig } from 'vitepress';
import { crossOriginIsolation } from './cross-origin-isolation';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The API sidebar TypeDoc writes (scripts/generate-reference.mjs runs before every build). */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = here('../reference/api/typedoc-sidebar.json');
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as DefaultTheme.SidebarItem[];
}

/**
 * Until the packages ship browser entry points, the demo's bundle maps Node's built-in modules (imported by
 * checkpoint and corpus code the page never runs) to a stub that throws if called.
 */
const NODE_BUILTINS = [
  'crypto',
  'fs',
  'fs/promises',
  'path',
  'os',
  'buffer',
  'module',
  'worker_threads',
  'url',
];
const nodeStub = here('./theme/demo/node-builtins-stub.ts');

const sidebar: DefaultTheme.Sidebar = [
  { text: 'Getting started', link: '/getting-started' },
  {
    text: 'Concepts',
    items: [
      { text: 'TBPTT and its bias', link: '/concepts/tbptt-bias' },
      { text: 'The adaptive method', link: '/concepts/adaptive-method' },
      { text: 'Choosing δ', link: '/concepts/choosing-delta' },
      { text: 'tf vs buffer windowing', link: '/concepts/windowing' },
      { text: 'Per-component profiles', link: '/concepts/component-profiles' },
      { text: 'When geometric decay fails', link: '/concepts/when-decay-fails' },
    ],
  },
  {
    text: 'Guides',
    items: [
      { text: 'Word language models', link: '/guides/word-language-model' },
      { text: 'Character-level models', link: '/guides/character-level' },
      {
        text: 'The packages from code',
        collapsed: false,
        items: [
          { text: '@tbptt/estimators', link: '/guides/packages/estimators' },
          { text: '@tbptt/datasets', link: '/guides/packages/datasets' },
          { text: '@tbptt/models', link: '/guides/packages/models' },
          { text: '@tbptt/core', link: '/guides/packages/core' },
          { text: '@tbptt/random', link: '/guides/packages/random' },
        ],
      },
      { text: 'Weights and PyTorch', link: '/guides/pytorch' },
      { text: 'Reproducing the paper', link: '/guides/reproducing-the-paper' },
      { text: 'Backends and speed', link: '/guides/backends' },
      { text: 'Scaling out', link: '/guides/scaling-out' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'Overview', link: '/reference/' },
      { text: 'CLI', link: '/reference/cli' },
      { text: 'API', collapsed: false, items: apiSidebar() },
    ],
  },
  {
    text: 'Results',
    items: [
      { text: 'Benchmarks', link: '/results/benchmarks' },
      { text: 'Reproduction', link: '/results/reproduction' },
      { text: 'Copy, m = 10, paper’s data', link: '/results/copy-reference/' },
      { text: 'Copy, m ∈ [5, 10], paper’s data', link: '/results/copy-variable-reference/' },
      { text: 'Copy, m = 10, clean generator', link: '/results/copy-clean/' },
      { text: 'Copy, m ∈ [5, 10], clean generator', link: '/results/copy-variable-clean/' },
      { text: 'Penn Treebank', link: '/results/ptb/' },
      { text: 'WikiText-2', link: '/results/wikitext-2/' },
      { text: 'Book Order', link: '/results/book-order/' },
    ],
  },
  { text: 'Live demo', link: '/demo' },
];

export default defineConfig({
  title: 'tbptt',
  description:
    'Adaptive truncated backpropagation through time on TensorFlow.js (Aicher, Foti & Fox, UAI 2019)',
  // DOCS_BASE=/tbptt/ builds for hosting under a sub-path.
  base: process.env.DOCS_BASE ?? '/',
  outDir: '../dist',
  cacheDir: '../.vitepress-cache',
  lastUpdated: false,
  cleanUrls: false,
  // The generated reproduction reports are included by their results/<experiment>/index.md pages.
  srcExclude: ['results/*/report.md'],
  // Dead internal links fail the build (the browser test crawls them too).
  ignoreDeadLinks: false,
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  markdown: {
    config(md) {
      // (cast: VitePress bundles its own markdown-it types, the plugin uses @types/markdown-it)
      md.use(katex as never, { output: 'htmlAndMathml', throwOnError: true });
    },
  },
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Concepts', link: '/concepts/tbptt-bias' },
      { text: 'Guides', link: '/guides/word-language-model' },
      { text: 'Reference', link: '/reference/' },
      { text: 'Results', link: '/results/benchmarks' },
      { text: 'Demo', link: '/demo' },
    ],
    sidebar,
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    footer: {
      message:
        'The method: Aicher, Foti & Fox, <em>Adaptively Truncating Backpropagation Through Time to Control Gradient Bias</em>, UAI 2019, arXiv:1905.07473.',
      copyright: 'MIT licensed',
    },
  },
  vite: {
    resolve: {
      alias: NODE_BUILTINS.map((name) => ({ find: new RegExp(`^(node:)?${name}$`), replacement: nodeStub })),
    },
    plugins: [crossOriginIsolation()],
    optimizeDeps: {
      exclude: ['@tensorflow/tfjs-backend-wasm'],
    },
    build: {
      chunkSizeWarningLimit: 4000,
    },
    worker: { format: 'es' },
  },
});
