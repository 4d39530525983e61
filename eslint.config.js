import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The globals of Node.js, read from the Node that runs eslint, the same one
 * that runs the project's scripts (process, Buffer, URL, fetch, timers...).
 */
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));
/** What Node's CommonJS wrapper gives each .cjs module besides require, module and exports. */
const commonJsGlobals = { __dirname: 'readonly', __filename: 'readonly' };

/**
 * Who may import the platform core, and how (layers/platform/src/index.ts and
 * tenantApp.ts say why). Each entry is a `no-restricted-imports` pattern on the
 * import's path as written; a file matched by two entries below gets the later
 * one's list alone, so each list is whole. Tests are left out: they may import
 * the module they test directly.
 */
const CORE = String.raw`(^|/)layers/platform/src`;
const coreThroughIndex = {
  regex: String.raw`${CORE}/(?!index$)`,
  message: 'Import the platform core from its index (layers/platform/src), its one public entry; export what is missing there.',
};
const noLocalCloud = {
  regex: String.raw`(^|/)localstack(/|$)`,
  message:
    "The clients are built into standalone tools (dist/bin) and a web page: they run the local cloud's own command (npm run localcloud) instead of importing its code.",
};
const dashboardCoreModule = {
  regex: String.raw`${CORE}/(?!uploads/fileName$|index$)`,
  message: 'The dashboard is a browser program: of the core it imports the one module it runs (uploads/fileName), and types.',
};
const dashboardCoreTypes = {
  regex: String.raw`${CORE}(/index)?$`,
  allowTypeImports: true,
  message: "The dashboard is a browser program: it imports only types from the core's index, whose modules need Node.",
};
const tenantAppOnly = {
  regex: String.raw`${CORE}(/(?!tenantApp$).*)?$`,
  message: 'Tenant apps import the platform from layers/platform/src/tenantApp, and from nowhere else in the core.',
};
const coreStaysInside = {
  regex: String.raw`(^|/)(functions|clients|bridge|localstack|bench|scripts|tests)(/|$)`,
  message: 'The platform core knows nothing of Lambda, HTTP, the CLIs, the bridge or the local cloud: it never imports them.',
};
const coreWithoutIndex = {
  regex: String.raw`^\.\.?(/\.\.)*(/index)?$`,
  message: "The core's files import each other, never the core's index (that would make an import cycle).",
};
const tenantAppWithoutPlatform = {
  regex: String.raw`^\./(ingest/apps/loadTenantApps|ingest/(batch|chunks|files)/|stream/)`,
  message: 'tenantApp.ts is loaded by the tenant apps, which the core loads: it imports neither the app loader nor the pipelines.',
};
const restrictImports = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((pattern) => ({ ...pattern, caseSensitive: true })) }],
});

export default defineConfig(
  globalIgnores(['node_modules', 'dist', '.localcloud', '.serverless', '.esbuild', 'coverage', 'test-artifacts']),
  js.configs.recommended,
  {
    // TypeScript, type-checked: each file with the tsconfig.json that includes
    // it (the project's, or clients/dashboard's for the browser dashboard).
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    // `const { secret: _secret, ...shown } = value` is how a property is left out of a copy.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  {
    // The JavaScript the project runs under Node: build scripts, entry points, configurations.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: commonJsGlobals },
  },
  {
    files: ['functions/**', 'bridge/**', 'localstack/**', 'bench/**', 'scripts/**'],
    rules: restrictImports(coreThroughIndex),
  },
  { files: ['clients/**'], rules: restrictImports(coreThroughIndex, noLocalCloud) },
  {
    // The TypeScript rule, which tells a type import (erased from the bundle) from a module's.
    files: ['clients/dashboard/**/*.ts'],
    rules: {
      ...restrictImports(noLocalCloud),
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [dashboardCoreModule, dashboardCoreTypes].map((pattern) => ({ ...pattern, caseSensitive: true })) },
      ],
    },
  },
  { files: ['tenants/**'], rules: restrictImports(tenantAppOnly) },
  { files: ['layers/platform/src/**'], rules: restrictImports(coreStaysInside, coreWithoutIndex) },
  { files: ['layers/platform/src/tenantApp.ts'], rules: restrictImports(coreStaysInside, coreWithoutIndex, tenantAppWithoutPlatform) },
);
