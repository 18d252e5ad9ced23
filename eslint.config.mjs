// Type-aware lint: an un-awaited power or serial call is the classic harness bug.
// The architecture rules are lint rules too (see `boundaries` below), so a violation fails CI.
import tseslint from 'typescript-eslint';

/** An import whose path names one of these top-level harness folders. */
const into = (...dirs) => `(^|/)(${dirs.join('|')})(/|$)`;

/**
 * Who may not import whom. The simulator is a board: it shares no code with the harness's clients,
 * seams or parsers (it may read the rig schema, which describes it). Parsers and the harness's
 * seams reach a board only as real hardware (console bytes, power, network), never through the
 * simulator; the exceptions are the simulator's own side of a seam (its UART binding, pty, relay,
 * supply and programmer) and the one flash cross-check (fixtures/to-boot.ts).
 */
const boundaries = [
  {
    files: ['harness/sim/**'],
    regex: into('ota', 'install', 'power', 'console', 'bootlog', 'faults', 'fixtures', 'report', 'cli', 'locks'),
    message: 'the simulator is written apart from the harness: it imports nothing from the harness clients, seams or parsers',
  },
  {
    files: ['harness/bootlog/**'],
    regex: into('sim'),
    message: 'parsers read console lines only; they never look into the simulator',
  },
  {
    files: ['harness/ota/**', 'harness/console/**', 'harness/power/**', 'harness/install/**', 'harness/report/**', 'harness/fixtures/**'],
    ignores: [
      'harness/console/sim-*.ts',
      'harness/power/sim.ts',
      'harness/install/sim-flash.ts',
      'harness/install/registry.ts',
      'harness/fixtures/board.ts',
      'harness/fixtures/images.ts',
      'harness/fixtures/to-boot.ts',
    ],
    regex: into('sim'),
    message: 'a seam reaches a board as real hardware does, never through the simulator (only fixtures/to-boot.ts cross-checks flash)',
  },
].map(({ files, ignores, regex, message }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'reports/**', 'test-results/**', 'playwright-report/**', 'blob-report/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // node:test's test()/describe() promises are awaited by the runner; tests poke at parsed JSON.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.cjs', 'bin/**'], ...tseslint.configs.disableTypeChecked },
  // CommonJS on purpose (harness/typebox.cjs says why).
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    // One TypeBox in the harness, the required one: the ESM build costs ~0.4 s per process (typebox.cjs).
    files: ['harness/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[importKind='value'][source.value=/^@sinclair.typebox/]", message: "import TypeBox from harness/typebox.ts (types may come from '@sinclair/typebox')" },
      ],
    },
  },
  ...boundaries,
);
