// ESLint with typescript-eslint's recommended type-checked rules, over the extension and its tests.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/', 'dist/', '.tools/', 'node_modules/', 'test-artifacts/', 'test/e2e/fixtures/'] },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Commands and tree callbacks are async by contract even when a body has nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Start-up (README, Start-up): activation must not evaluate the client libraries or all of zod.
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/vendor/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z']",
        message: "Use `import * as z from 'zod'`: with the `z` object the bundle keeps all of zod, locales included.",
      }],
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'ky', message: 'ky loads at first use: take it from loadKy() in src/adapters/vendor/loaders.ts.', allowTypeImports: true }],
        patterns: [{ group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK loads at first use: take it from loadAwsSdk() in src/adapters/vendor/loaders.ts (types from ../vendor/awsSdk).', allowTypeImports: true }],
      }],
    },
  },
  {
    // Scripts, benchmarks and the end-to-end tests run in Node (the e2e tests also evaluate code in the page).
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: globals.mocha },
  },
);
