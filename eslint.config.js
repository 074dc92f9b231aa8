// ESLint flat config: typescript-eslint recommended rules over the whole repo.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'apps/web/dist/**', 'test-output/**', 'examples/python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // Arrows point down and packages meet only at their entry points (exports maps): nothing
      // reaches into another package's src/ (dependency-cruiser checks the layers, npm run deps).
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(\\.\\./)+(packages/)?(protocol|common|physics|vision|gateway|pipeline|server|client|web)/src(/|$)',
          message: "import the package by name (@tablecast/...), not its src/ files",
        }],
      }],
    },
  },
);
