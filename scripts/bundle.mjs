// `npm run bundle`: compiles datamon's TypeScript into dist/ (one entry, code-split so each role
// loads only what it runs) for production: `node dist/datamon.mjs ...` runs without the tsx
// loader, about 35 MB less per process. Third-party packages stay in node_modules (typebox
// excepted, see INLINE).
// Development and `npx datamon` run the sources through tsx; nothing reads dist/ implicitly,
// so it can never be stale behind your back.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Bundled in rather than loaded from node_modules, to save memory in every process: typebox is
// 2,300 small ES modules of which esbuild keeps what is used.
const INLINE = /^typebox(\/|$)/;
// Loaded with require() although they have an ES build: cron-parser (also bullmq's) requires
// luxon, and one copy of its 1 MB of source is enough.
const REQUIRED = /^luxon$/;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Whether Node.js would load a package as CommonJS: no "type": "module" and no "import" entry in
 * its exports. Such packages are loaded with require() from the bundle, as they would be from
 * CommonJS: an ES `import` of them makes Node run its export scanner over every file they
 * re-export (bullmq re-exports 160), which costs time and about 4 MB in each process.
 */
const commonJs = new Map();
function loadsAsCommonJs(specifier, resolveDir) {
  const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const key = `${resolveDir}\0${name}`;
  if (!commonJs.has(key)) {
    let answer = false;
    for (let dir = resolveDir; ; dir = dirname(dir)) {
      const file = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        answer = pkg.type !== 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"import"');
        break;
      }
      if (dirname(dir) === dir) break;
    }
    commonJs.set(key, answer);
  }
  return commonJs.get(key);
}
const BUILTIN = new Set(builtinModules);

/**
 * bullmq's index loads every backend it has (PostgreSQL, Valkey GLIDE, node-redis, Bun, relay
 * scripts): 2 MB that a process on ioredis never runs. The bundle requires only the files of
 * what datamon uses; importing anything else from 'bullmq' stops the build, naming it.
 */
const BULLMQ_FILES = {
  Queue: 'classes/queue.js',
  QueueEvents: 'classes/queue-events.js',
  Worker: 'classes/worker.js',
  UnrecoverableError: 'classes/errors/unrecoverable-error.js',
  RateLimitError: 'classes/errors/rate-limit-error.js',
};
function bullmqImports(importer) {
  const source = readFileSync(importer, 'utf8');
  const names = [];
  // Anything but `import { ... }` and `import type ...` (a namespace, a default, a re-export) is named as '*'.
  const statements = source.match(/^(import|export)\b[^;]*?from\s*'bullmq'/gms) ?? [];
  if (statements.some((statement) => !/^import\s+(type\s+)?\{[^}]*\}\s*from/s.test(statement))) names.push('*');
  for (const match of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'bullmq'/g)) {
    for (const item of match[1].split(',').map((part) => part.trim()).filter(Boolean)) if (!item.startsWith('type ')) names.push(item.split(/\s+as\s+/)[0]);
  }
  return names;
}
const BULLMQ_MODULE = Object.entries(BULLMQ_FILES)
  .map(([name, file]) => `exports.${name} = require(${JSON.stringify(`bullmq/dist/cjs/${file}`)}).${name};`)
  .join('\n');
// An output folder may be named (tests); it must sit in the repository so node_modules resolve.
const outdir = process.argv[2] ?? 'dist';
await rm(join(root, outdir), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['packages/cli/src/main.ts'],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  entryNames: 'datamon',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  metafile: Boolean(process.env.DATAMON_BUNDLE_META),
  // The bundle's own require(), for the CommonJS packages below.
  banner: { js: "import { createRequire as __datamonCreateRequire } from 'node:module';\nconst require = __datamonCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'third-party-stays-external',
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('@datamon/') || INLINE.test(args.path)) return undefined;
          if (args.path === 'bullmq' && args.namespace === 'file') {
            const unknown = bullmqImports(args.importer).filter((name) => !(name in BULLMQ_FILES));
            if (unknown.length > 0) return { errors: [{ text: `${args.importer} imports ${unknown.join(', ')} from bullmq: import by name, each name listed in BULLMQ_FILES in scripts/bundle.mjs` }] };
            return { path: 'bullmq', namespace: 'bullmq-narrow' };
          }
          if (args.namespace === 'commonjs-package' || args.namespace === 'bullmq-narrow' || args.path.startsWith('node:') || BUILTIN.has(args.path)) return { path: args.path, external: true };
          if (REQUIRED.test(args.path) || loadsAsCommonJs(args.path, args.resolveDir)) return { path: args.path, namespace: 'commonjs-package' };
          return { path: args.path, external: true };
        });
        builder.onLoad({ filter: /.*/, namespace: 'bullmq-narrow' }, () => ({ contents: BULLMQ_MODULE, loader: 'js', resolveDir: root }));
        builder.onLoad({ filter: /.*/, namespace: 'commonjs-package' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js', resolveDir: root }));
      },
    },
  ],
});
if (process.env.DATAMON_BUNDLE_META) (await import('node:fs')).writeFileSync(process.env.DATAMON_BUNDLE_META, JSON.stringify(result.metafile));
process.stdout.write(`wrote ${outdir}/datamon.mjs\n`);
