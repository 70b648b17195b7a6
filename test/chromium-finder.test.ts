import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findChromium, skipWithoutChromium } from './helpers/chromium.ts';

const folder = mkdtempSync(join(tmpdir(), 'datamon-chromium-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const fake = join(folder, 'chromium');
writeFileSync(fake, '#!/bin/sh\n');
chmodSync(fake, 0o755);

describe('finding the browser for the dashboard tests', () => {
  it('takes CHROMIUM_PATH first, then chromium on the PATH', () => {
    assert.equal(findChromium({ CHROMIUM_PATH: fake, PATH: '' }), fake);
    assert.equal(findChromium({ PATH: folder }), fake);
  });
  it('skips outside CI with how to install one, and never skips in CI', () => {
    const none = { CHROMIUM_PATH: join(folder, 'nope') };
    assert.equal(findChromium(none), null);
    assert.match(String(skipWithoutChromium(none)), /no Chromium found: install Debian's chromium \(apt-get install -y chromium\) or point CHROMIUM_PATH/);
    assert.equal(skipWithoutChromium({ ...none, CI: '1' }), false);
  });
});
