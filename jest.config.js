// Jest runs in native ESM mode (node --experimental-vm-modules): @noble/* 2.x ship ESM only, and
// the whole workspace is "type": "module", so tests execute the same module graph production does.
// @swc/jest strips types only; type checking is `tsc -b` (npm run typecheck), run first by npm test.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Resolve @flk/* workspace packages to their TypeScript sources (no build needed for tests).
  testEnvironmentOptions: { customExportConditions: ['@flk/source', 'node', 'node-addons'] },
  testEnvironment: 'node',
};
export default {
  // testTimeout is a global option (ignored inside projects): generous for integration tests on 2 cores.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps}/*/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,apps}/*/src/**/*.int.test.ts', '<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.js',
    },
    // The 3-broker stack only (scripts/test-cluster.sh, npm run test:cluster, part of npm test).
    { ...common, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'], globalSetup: '<rootDir>/test/global-setup.js' },
  ],
};
