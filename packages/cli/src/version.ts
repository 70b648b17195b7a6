import rootPackage from '../../../package.json' with { type: 'json' };

/**
 * datamon's version: the repository's package.json, read once. `npm run bundle` inlines it into
 * dist/datamon.mjs, so the production bundle needs no package.json beside it.
 */
export const DATAMON_VERSION: string = rootPackage.version;
