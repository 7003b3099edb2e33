// `npm run lint`: typescript-eslint's type-aware rules, and the direction of imports between the project's folders.
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** What each folder may import from the project (other folders are free); domain/ also takes only Node built-ins. */
const LAYERS = {
  domain: { only: ['domain'], builtinsOnly: true },
  functions: { only: ['domain', 'functions'] },
  statemachine: { only: ['domain', 'statemachine'] },
  infra: { only: ['domain', 'statemachine', 'infra'] },
  tools: { not: ['test'] },
};

const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);

/** Resolves each relative import against the importing file, so the check holds at any folder depth. */
const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layers: domain <- functions, statemachine <- infra; tools never test' },
    schema: [],
  },
  create(context) {
    const [folder] = path.relative(root, context.filename).split(path.sep);
    const layer = LAYERS[folder];
    if (!layer) return {};
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('.')) {
        if (layer.builtinsOnly && !isBuiltin(specifier)) {
          context.report({ node: source, message: `${folder}/ imports Node built-ins only, not '${specifier}'` });
        }
        return;
      }
      const [target] = path.relative(root, path.resolve(path.dirname(context.filename), specifier)).split(path.sep);
      const allowed = layer.only ? layer.only.includes(target) : !layer.not.includes(target);
      if (!allowed) {
        const rule = layer.only
          ? `imports only from ${layer.only.join('/, ')}/`
          : `never imports ${layer.not.join('/, ')}/`;
        context.report({ node: source, message: `${folder}/ ${rule}, not '${specifier}'` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default defineConfig([
  globalIgnores(['cdk.out/', 'coverage/', '.bench/']),
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    // The type-aware rules read the code that ships or runs (tsconfig.eslint.json); tests get the rules without types.
    languageOptions: { parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: root } },
    plugins: { layers: { rules: { 'import-direction': importDirection } } },
    rules: {
      'layers/import-direction': 'error',
      // tsc's noUnusedLocals and noUnusedParameters already refuse these, and allow the `_omitted` rest idiom.
      '@typescript-eslint/no-unused-vars': 'off',
      // The code marks indexed reads with `!` as if noUncheckedIndexedAccess were on: 159 of the rule's 172 reports.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Mocks and fakes are `async` to implement Promise-returning interfaces; they need no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Tests read JSON fixtures and synthesized templates as `any` and assert their shape; tsc type-checks them, and
    // linting them without types keeps npm test under a minute.
    files: ['test/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
]);
