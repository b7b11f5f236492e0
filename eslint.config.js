// Lint: the habits the code keeps, enforced (issue 23). Type-aware rules use
// tsconfig.json through typescript-eslint's project service.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/.results/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      // every switch over a union names every member (or says why it has a default)
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // a promise is awaited, returned, or explicitly let go with `void`
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      // modules form layers: no module reaches itself through its imports
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // files stay small (lines of code, so a comment that says why never
      // counts against it); the few justified exceptions are named below
      'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Each is one adapter or one loop whose parts share private state that a
    // split would have to expose: SQLite's read store (queries, writes,
    // change tracking over one connection), KurrentDB's event store (append,
    // read and the hash chain over one client), and the projection runner
    // (each projection's one state machine: catch up, follow, standby, take
    // over, fail, rebuild, over the runner's map of running projections).
    files: [
      'src/projections/runner/projection-runner.ts',
      'src/projections/store/sqlite/sqlite-read-store.ts',
      'src/events/store/kurrentdb/kurrentdb-event-store.ts',
    ],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Test files hold many cases of one behaviour; the file limit is for code.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-lines': 'off' },
  },
);
