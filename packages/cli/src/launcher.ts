import { readFileSync } from 'node:fs';
import { isProcessRunning, processStat } from '@datamon/io';

/**
 * `npx datamon start` runs datamon under `npm exec` and a shell, and npm exits on SIGTERM
 * without passing it on: datamon would be left running, an orphan nobody stops. So when npm (or
 * npx) started this process, datamon watches its parent and, when it is gone, stops as if it had
 * received SIGTERM itself. Started any other way (systemd, Docker, a shell, `nohup`), nothing is
 * watched: a parent shell that exits is no reason to stop.
 */

/** How often the parent is looked at. */
const WATCH_EVERY_MS = 1_000;

/** The command line of a process, or '' (not Linux, or gone). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The parent of a process, or null. */
function parentOf(pid: number): number | null {
  const parent = processStat(pid)?.ppid;
  return parent !== undefined && Number.isInteger(parent) && parent > 0 ? parent : null;
}

/** The `npm exec`/`npx` among this process's nearest ancestors (a shell may sit between), or null. */
export function npmAncestor(pid = process.pid, depth = 3): number | null {
  let current: number | null = parentOf(pid);
  for (let level = 0; level < depth && current !== null && current > 1; level += 1) {
    if (/(^|[/\s])(npm|npx)(\s|$)|npm exec|npm-cli\.js|npx-cli\.js/.test(commandLine(current))) return current;
    current = parentOf(current);
  }
  return null;
}

/**
 * Stops this process (SIGTERM to itself, so the usual graceful stop runs) once the npm that
 * started it is gone. Does nothing unless npm started it.
 *
 * @returns a function that stops watching
 */
export function stopWhenNpmExits(onOrphaned: () => void = () => process.kill(process.pid, 'SIGTERM')): () => void {
  const npm = npmAncestor();
  if (npm === null) return () => undefined;
  const timer = setInterval(() => {
    if (!isProcessRunning(npm)) {
      clearInterval(timer);
      onOrphaned();
    }
  }, WATCH_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
