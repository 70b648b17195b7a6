import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to get a browser for the dashboard tests (never a downloaded one). */
export const HOW_TO_INSTALL_CHROMIUM = 'install Debian\'s chromium (apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary';

/** The flags every test browser starts with: headless, no sandbox as root, no calls home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser for the dashboard tests: `CHROMIUM_PATH`, else `chromium` (or `chromium-browser`,
 * `google-chrome`) on the PATH, else Debian's /usr/bin/chromium; null when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  for (const folder of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      if (executable(join(folder, name))) return join(folder, name);
    }
  }
  return executable('/usr/bin/chromium') ? '/usr/bin/chromium' : null;
}

/**
 * For `describe(..., { skip })`: outside CI a missing browser skips the browser tests with how to
 * install one; in CI (`CI` set, as `.ci/run` does) it is never skipped, so its absence fails.
 */
export function skipWithoutChromium(env: NodeJS.ProcessEnv = process.env): string | false {
  if (findChromium(env) || env.CI) return false;
  return `no Chromium found: ${HOW_TO_INSTALL_CHROMIUM}`;
}
