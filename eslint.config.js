import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'native/build/**',
      'reports/**',
      '.stryker-tmp*/**',
    ],
  },
  js.configs.recommended,
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Rooms a reader can hold in their head: cut along seams rather than wrap lines.
      'max-lines': ['error', { max: 600 }],
      'max-lines-per-function': ['error', { max: 80, IIFEs: true }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The renderer reaches the system only through the preload, and the core only through
      // common/ (the layer rule in .dependency-cruiser.cjs says the same for every folder).
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser sandbox.' },
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer imports only common/ of the core.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the shell may touch Electron; the core stays plain Node.
    files: ['main/**/*.ts'],
    ignores: ['main/index.ts', 'main/shell/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only main/index.ts and main/shell/ import electron.' }] },
      ],
    },
  },
  {
    // The preload exposes a typed, allow-listed invoke/on; nothing else in the app talks to ipcRenderer.
    files: ['renderer/**/*.{ts,tsx}', 'main/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'window', property: 'require' }],
    },
  },
);
