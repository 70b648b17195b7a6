// `npm run bundle`: compiles datamon's TypeScript into dist/ (one entry, code-split so each role
// loads only what it runs) for production: `node dist/datamon.mjs ...` runs without the tsx
// loader, about 35 MB less per process. Third-party packages stay in node_modules.
// Development and `npx datamon` run the sources through tsx; nothing reads dist/ implicitly,
// so it can never be stale behind your back.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// An output folder may be named (tests); it must sit in the repository so node_modules resolve.
const outdir = process.argv[2] ?? 'dist';
await rm(join(root, outdir), { recursive: true, force: true });
await build({
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
  plugins: [
    {
      name: 'third-party-stays-external',
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@datamon/') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
process.stdout.write(`wrote ${outdir}/datamon.mjs\n`);
