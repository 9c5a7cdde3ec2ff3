import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'native/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The renderer reaches the system only through the preload's named functions.
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: ['node:*', '../../main/!(contract.ts)*'] },
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
    // The preload exposes named functions; nothing else in the app talks to ipcRenderer.
    files: ['renderer/**/*.{ts,tsx}', 'main/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'window', property: 'require' }],
    },
  },
);
