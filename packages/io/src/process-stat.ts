import { readFileSync } from 'node:fs';

/**
 * What Linux says of a process in `/proc/<pid>/stat`: its state letter, parent and process group.
 * One reader for everything that must tell a running process from a gone or zombie one (a killed
 * child whose parent died first stays a zombie until an init process reaps it, which a container
 * without one never does).
 */
export interface ProcessStat {
  /** `R`, `S`, `D`, `Z` (zombie: dead, not reaped)... */
  state: string;
  ppid: number;
  pgrp: number;
}

/** The process's stat, or null when it is gone or this is not Linux. */
export function processStat(pid: number | string): ProcessStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
  const [state = '', ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/** Whether a process runs: it exists and is not a zombie (off Linux, whether it exists). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const stat = processStat(pid);
  return stat !== null && stat.state !== 'Z';
}
