import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  embeddedLayout,
  findProgram,
  installerDirectories,
  mysqlFlavour,
  mysqlInitCommand,
  mysqlServerCommand,
  recordedServerVerdict,
  redisCommand,
  searchDirectories,
} from '../src/demo/embedded-commands.ts';

describe('finding the server programs', () => {
  it('looks on PATH first, then in the server folders a normal PATH leaves out, each once', () => {
    const directories = searchDirectories('/home/me/bin:/usr/bin:/usr/sbin', ':');
    assert.deepEqual(directories.slice(0, 3), ['/home/me/bin', '/usr/bin', '/usr/sbin']);
    assert.ok(directories.includes('/opt/homebrew/bin') && directories.includes('/usr/local/bin'));
    assert.equal(directories.filter((directory) => directory === '/usr/sbin').length, 1);
  });

  it('prefers mariadbd to mysqld wherever each is', () => {
    const present = new Set(['/usr/bin/mysqld', '/usr/sbin/mariadbd']);
    assert.equal(findProgram(['mariadbd', 'mysqld'], ['/usr/bin', '/usr/sbin'], (file) => present.has(file)), '/usr/sbin/mariadbd');
    assert.equal(findProgram(['redis-server'], ['/usr/bin'], () => false), null);
  });

  it('looks for the installer beside a Homebrew server before anywhere else', () => {
    const directories = installerDirectories('/opt/homebrew/Cellar/mariadb/11.4.2/bin/mariadbd', ['/usr/bin']);
    assert.deepEqual(directories, ['/opt/homebrew/Cellar/mariadb/11.4.2/bin', '/opt/homebrew/Cellar/mariadb/11.4.2/scripts', '/usr/bin']);
  });

  it('tells MariaDB from MySQL by its version line', () => {
    assert.equal(mysqlFlavour('mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu'), 'mariadb');
    assert.equal(mysqlFlavour('/usr/sbin/mysqld  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)'), 'mysql');
  });
});

describe('the private servers\' files', () => {
  it('keeps them under the demo folder', () => {
    const layout = embeddedLayout('/work/.datamon-demo', '/tmp');
    assert.equal(layout.root, '/work/.datamon-demo/services');
    assert.equal(layout.mysql.data, '/work/.datamon-demo/services/mariadb/data');
    assert.equal(layout.mysql.socket, '/work/.datamon-demo/services/mariadb/mariadbd.sock');
  });

  it('puts the MariaDB socket in the temporary folder when the demo folder is too deep for a socket path', () => {
    const deep = `/work/${'deep/'.repeat(20)}.datamon-demo`;
    const layout = embeddedLayout(deep, '/tmp');
    assert.match(layout.mysql.socket, /^\/tmp\/datamon-mariadb-[0-9a-f]{12}\.sock$/);
    assert.equal(embeddedLayout(deep, '/tmp').mysql.socket, layout.mysql.socket, 'the same folder gets the same socket');
  });
});

describe('the private servers\' command lines', () => {
  const layout = embeddedLayout('/work/.datamon-demo', '/tmp').mysql;

  it('runs Redis on loopback with nothing written to disk', () => {
    const { args } = redisCommand('/usr/bin/redis-server', 40001, '/work/.datamon-demo/services/redis');
    const option = (name: string) => args[args.indexOf(name) + 1];
    assert.equal(option('--port'), '40001');
    assert.equal(option('--bind'), '127.0.0.1');
    assert.equal(option('--save'), '');
    assert.equal(option('--appendonly'), 'no');
    assert.equal(option('--daemonize'), 'no');
  });

  it('initialises MariaDB with a password login for root (TCP without a root daemon) and no option files', () => {
    const command = mysqlInitCommand({ flavour: 'mariadb', server: '/usr/sbin/mariadbd', installer: '/usr/bin/mariadb-install-db', base: '/usr', data: layout.partial, runAsRoot: false });
    assert.ok(command);
    assert.equal(command.program, '/usr/bin/mariadb-install-db');
    assert.equal(command.args[0], '--no-defaults', 'must come first');
    assert.ok(command.args.includes('--auth-root-authentication-method=normal'));
    assert.ok(command.args.includes(`--datadir=${layout.partial}`));
    assert.ok(!command.args.some((arg) => arg.startsWith('--user')));
  });

  it('initialises MySQL with the server itself, and MariaDB not at all without an installer', () => {
    const mysql = mysqlInitCommand({ flavour: 'mysql', server: '/usr/sbin/mysqld', installer: null, base: '/usr', data: '/d', runAsRoot: true });
    assert.deepEqual(mysql?.args, ['--no-defaults', '--initialize-insecure', '--datadir=/d', '--basedir=/usr', '--user=root']);
    assert.equal(mysqlInitCommand({ flavour: 'mariadb', server: '/usr/sbin/mariadbd', installer: null, base: '/usr', data: '/d', runAsRoot: false }), null);
  });

  it('runs MariaDB on loopback with its own socket, and as root only when asked', () => {
    const { args } = mysqlServerCommand({ flavour: 'mariadb', server: '/usr/sbin/mariadbd', port: 40002, layout, runAsRoot: true });
    assert.equal(args[0], '--no-defaults');
    for (const expected of ['--port=40002', '--bind-address=127.0.0.1', `--socket=${layout.socket}`, `--datadir=${layout.data}`, '--user=root']) assert.ok(args.includes(expected), expected);
    assert.ok(!args.includes('--mysqlx=OFF'), 'MariaDB does not know the option');
    assert.ok(mysqlServerCommand({ flavour: 'mysql', server: '/usr/sbin/mysqld', port: 1, layout, runAsRoot: false }).args.includes('--mysqlx=OFF'));
  });
});

describe('a server an earlier run recorded', () => {
  const record = { pid: 500, ownerPid: 400, port: 40003, program: '/usr/bin/redis-server' };

  it('is forgotten when it is not running', () => {
    assert.equal(recordedServerVerdict(record, { server: false, owner: true }, 900), 'forget');
  });

  it('is in use while the demo that started it runs', () => {
    assert.equal(recordedServerVerdict(record, { server: true, owner: true }, 900), 'in-use');
  });

  it('is an orphan to stop when its demo is gone', () => {
    assert.equal(recordedServerVerdict(record, { server: true, owner: false }, 900), 'stop');
  });

  it('is ours to stop when this process started it', () => {
    assert.equal(recordedServerVerdict(record, { server: true, owner: true }, 400), 'stop');
  });
});
