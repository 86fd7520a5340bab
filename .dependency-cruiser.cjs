/** Import rules from ../shared/design.md: core imports no module; modules meet only at index.ts. */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-module',
      severity: 'error',
      comment: 'core is the floor every module stands on; it never knows a module',
      from: { path: '^src/core/' },
      to: { path: '^src/(modules|cli|demo|app\\.ts)' },
    },
    {
      name: 'modules-meet-at-index',
      severity: 'error',
      comment: 'a module uses another only through its index.ts',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'routes-never-import-repositories',
      severity: 'error',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, pathNot: ['^node_modules'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
