import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'coverage', 'bin', 'tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Repositories answer with promises: one tested for truth or awaited by mistake is a bug.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Dependencies point inward: the core never imports a channel adapter.
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/store/sqlite/**', 'src/store/postgres/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/channels/**', '**/channels'], message: 'src/ must not import channels/; wire them in main.ts' }],
          paths: [
            { name: 'better-sqlite3', message: 'SQL lives in src/store/sqlite/, behind the repository ports' },
            { name: 'pg', message: 'SQL lives in src/store/postgres/, behind the repository ports' },
          ],
        },
      ],
    },
  },
  {
    // The core knows its own ports, not the human side, the store, the server or the channels.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/channels/**', '**/channels'], message: 'src/ must not import channels/; wire them in main.ts' },
            { group: ['../handoff/*', '../store/*', '../store/**', '../server/*', '../ops/*', '../demand/*', '../cli/*'], message: 'the core depends on its ports (src/core/ports.ts) only' },
          ],
          paths: [
            { name: 'better-sqlite3', message: 'SQL lives in src/store/sqlite/, behind the repository ports' },
            { name: 'pg', message: 'SQL lives in src/store/postgres/, behind the repository ports' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/sqlite/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/channels/**', '**/channels'], message: 'src/ must not import channels/; wire them in main.ts' }],
          paths: [{ name: 'pg', message: 'SQL lives in src/store/postgres/, behind the repository ports' }],
        },
      ],
    },
  },
  {
    files: ['src/store/postgres/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/channels/**', '**/channels'], message: 'src/ must not import channels/; wire them in main.ts' }],
          paths: [{ name: 'better-sqlite3', message: 'SQL lives in src/store/sqlite/, behind the repository ports' }],
        },
      ],
    },
  },
);
