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
);
