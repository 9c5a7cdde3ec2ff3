/**
 * The layer rule (ARCHITECTURE.md, "Layers"), checked by `npm run lint`: a file imports only from
 * its own layer and the layers below it, the renderer and the preload reach nothing of the core
 * but `common/`, and no import cycle anywhere. test/lint/layers.test.ts plants bad imports to
 * prove these rules match.
 */
// Bottom to top. A layer is one or more folders (or files) under the repository root.
const LAYERS = [
  { name: 'common', paths: ['common/'] },
  { name: 'base', paths: ['main/base/'] },
  { name: 'network', paths: ['main/network/'] },
  { name: 'monitor', paths: ['main/monitor/'] },
  { name: 'engine', paths: ['main/engine/'] },
  { name: 'ledger', paths: ['main/ledger/'] },
  { name: 'sync', paths: ['main/sync/'] },
  { name: 'core', paths: ['main/core/'] },
  { name: 'host', paths: ['main/host/'] },
  { name: 'cli', paths: ['main/cli/'] },
  { name: 'shell', paths: ['main/shell/', 'main/index\\.ts$'] },
];

const escape = (p) => p.replaceAll('.', '\\.').replaceAll('\\\\.', '\\.');
const pattern = (paths) => `^(${paths.map((p) => (p.endsWith('/') ? escape(p) : p)).join('|')})`;

// The three shells sit side by side at the top: the CLI and the Electron app may start the host's
// servers (`pathwise serve`; the local socket `pathwise get` hands its downloads to), nothing else
// of theirs is shared.
const SIDE_BY_SIDE = { host: ['cli', 'shell'], shell: ['cli'], cli: ['shell'] };

const upward = LAYERS.flatMap((layer, index) => {
  const top = ['host', 'cli', 'shell'].includes(layer.name);
  const above = top ? [] : LAYERS.slice(index + 1);
  const siblings = (SIDE_BY_SIDE[layer.name] ?? []).map((n) => LAYERS.find((l) => l.name === n));
  const forbidden = [...above, ...siblings];
  if (forbidden.length === 0) return [];
  return [
    {
      name: `layer-${layer.name}`,
      comment: `${layer.name} imports only from itself and the layers below it (ARCHITECTURE.md, "Layers").`,
      severity: 'error',
      from: { path: pattern(layer.paths) },
      to: { path: pattern(forbidden.flatMap((l) => l.paths)) },
    },
  ];
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'renderer-only-common',
      comment: 'The renderer reaches the core only through common/ (the contract and shared rules).',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|preload|test|bench|scripts)/' },
    },
    {
      name: 'preload-only-common',
      comment: 'The sandboxed preload bundles common/ and electron, nothing of the core.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'product-not-tests',
      comment: 'Product code never imports tests, benchmarks or project scripts.',
      severity: 'error',
      from: { path: '^(common|main|preload|renderer)/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles: each layer can be read, tested and replaced from the bottom up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'A relative import that resolves to nothing is a typo or a moved file (tsc checks packages).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|dist|native/build|test-results)/' },
    tsPreCompilationDeps: true,

    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
