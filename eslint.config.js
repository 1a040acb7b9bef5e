// Lint rules. The pure folders (protocol, cluster, config parsing, sim) may not touch clocks,
// randomness, timers, the process or I/O: purity is checked here, not hoped for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureBans = {
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'pure core: ask for a wake-up via Output.wakeAtMs' },
    { name: 'setInterval', message: 'pure core: ask for a wake-up via Output.wakeAtMs' },
    { name: 'setImmediate', message: 'pure core: no timers' },
    { name: 'process', message: 'pure core: no process access' },
    { name: 'fetch', message: 'pure core: no I/O' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'pure core: time comes in as nowMs' },
    { object: 'Math', property: 'random', message: 'pure core: use the injected Random' },
    { object: 'performance', property: 'now', message: 'pure core: time comes in as nowMs' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: 'AwaitExpression', message: 'pure core is synchronous' },
    { selector: 'FunctionDeclaration[async=true]', message: 'pure core is synchronous' },
    { selector: 'ArrowFunctionExpression[async=true]', message: 'pure core is synchronous' },
    { selector: 'NewExpression[callee.name="Date"]', message: 'pure core: time comes in as nowMs' },
  ],
};

const shellDirs = ['daemon', 'transport', 'resources', 'fencing', 'arbiter', 'api', 'cli', 'lab'];
// The impure part of config: it reads files and asks the host. The rest of config is pure.
const impureConfig = ['src/config/load*.ts', 'src/config/host-files.ts'];
// (Matched by file name: the former `config/load/` directory pattern never matched `config/load.js`.)
const impureConfigModule = '(^|/)config/(load[^/]*|host-files)\\.js$';
const importBan = (forbidden, alsoBanned = []) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^node:(?!crypto$)',
          message: 'pure core: only node:crypto may be imported here',
        },
        {
          regex: `(^|/)(${forbidden.join('|')})/`,
          message: 'dependencies point inward: the core may not import the shell',
        },
        ...alsoBanned.map((regex) => ({ regex, message: 'pure core: this module reads files or asks the host' })),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scripts/**/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/protocol/**/*.ts', 'src/cluster/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      ...pureBans,
      ...importBan(shellDirs, [impureConfigModule]),
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/config/**/*.ts'],
    ignores: impureConfig,
    rules: {
      ...pureBans,
      ...importBan([...shellDirs, 'cluster', 'protocol'], ['^\\./(load[^/]*|host-files)\\.js$']),
    },
  },
  // Size: small modules named for what they own. Code lines only (blank lines and comments free).
  {
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
);
