// ESLint for the web client: typescript-eslint's type-aware rules (so that
// `any` and unchecked casts cannot sneak past the generated GraphQL types)
// and the rules of React hooks. Generated code (src/gql) is not linted.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/gql/', '*.config.ts', 'codegen.ts'] },
  js.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The rules of hooks. (The React Compiler's own rules, which
      // eslint-plugin-react-hooks 7 also recommends, assume the compiler,
      // which this client does not use.)
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // Event handlers may be async: React ignores what they return.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // A cast to never (or through unknown) hides a mismatch with the
      // schema's generated types: parse instead (see src/enums.ts).
      '@typescript-eslint/no-unsafe-type-assertion': 'error',
    },
  },
  {
    // Node scripts (tests against the server, the browser run).
    files: ['**/*.{js,mjs}'],
    ...tseslint.configs.disableTypeChecked,
    // page.evaluate() callbacks run in the browser.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
