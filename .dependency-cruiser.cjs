/**
 * The direction of the arrows (STYLE): core imports nothing of ours; config, io, checks,
 * notifiers and store import core (and config/io); jobs (the job layer: contracts, producers,
 * processors) imports those; the roles (workers, server) import jobs and never each other; only
 * the cli wires everything. No cycles anywhere.
 */
const pkg = (name) => `^packages/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      comment: 'core is pure: no other datamon package and no I/O libraries',
      severity: 'error',
      from: { path: pkg('core') },
      to: { path: ['^packages/(?!core/)', 'node_modules/(ioredis|bullmq|mysql2|got|nodemailer|fastify|pino)/', '^(fs|net|http|https|child_process)$'] },
    },
    {
      name: 'shared-packages-never-import-roles',
      severity: 'error',
      from: { path: '^packages/(core|config|io|checks|notifiers|store|jobs)/' },
      to: { path: '^packages/(workers|server|cli)/' },
    },
    {
      name: 'roles-do-not-import-each-other',
      severity: 'error',
      from: { path: pkg('workers') },
      to: { path: '^packages/(server|cli)/' },
    },
    {
      name: 'server-does-not-import-roles',
      severity: 'error',
      from: { path: pkg('server') },
      to: { path: '^packages/(workers|cli)/' },
    },
    {
      name: 'leaf-packages-do-not-import-the-job-layer',
      comment: 'the job layer builds on checks, notifiers and store, not the other way',
      severity: 'error',
      from: { path: '^packages/(core|config|io|checks|notifiers|store)/' },
      to: { path: pkg('jobs') },
    },
    {
      name: 'leaf-packages-stay-leaves',
      comment: 'checks, notifiers and store are independent of each other',
      severity: 'error',
      from: { path: '^packages/(checks|notifiers|store)/' },
      to: { path: '^packages/(checks|notifiers|store)/', pathNot: '^packages/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(test|public)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'], extensions: ['.ts', '.js'] },
  },
};
