import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Imports that do I/O. The pure core (type:core) may use none of them; Nx enforces it below and
// no-restricted-imports catches Node builtins (which Nx does not treat as external packages).
const IO_PACKAGES = ['kafkajs', 'ioredis', 'pino', 'prom-client', 'avsc', '@kafkajs/confluent-schema-registry'];
const NODE_IO = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http',
  'https', 'node:https', 'child_process', 'node:child_process', 'dgram', 'node:dgram', 'tls', 'node:tls'];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'sdk/**/.venv/**', '.nx/**', 'coverage/**', 'bench/results/**', '.flk/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', {
        allow: [],
        depConstraints: [
          { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'], bannedExternalImports: IO_PACKAGES },
          { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:core', 'type:adapter'] },
          { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:adapter'] },
        ],
      }],
      // Public entry points only (@flk/pcs, @flk/pcs/testing): no reaching into another package's files.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@flk/*/src/*', '@flk/*/dist/*', '../../libs/*', '../../../libs/*'], message: 'Import the package entry point (@flk/<name>) instead.' }] }],
    },
  },
  {
    files: ['libs/pcs/src/**/*.ts'],
    ignores: ['libs/pcs/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...NODE_IO, ...IO_PACKAGES].map((name) => ({ name, message: 'libs/pcs is the pure core: no I/O imports.' })) }],
    },
  },
];
