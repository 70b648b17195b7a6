import { createReadStream } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { evaluateFileArrival, type FileObservation, fillDateTemplate } from '@datamon/core';
import Type from 'typebox';
import { defineKind, type PipelineOfKind, ruleOutcome } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';
import { fields } from '../fields.ts';

/**
 * `file_arrival`: today's file (date tokens filled in the monitoring zone) in its folder. The
 * folder is opened first, so "the folder is gone or unreadable" (CRITICAL, the export cannot land)
 * is told apart from "the file is not there yet" (PENDING until the deadline).
 */
export const fileArrival = defineKind({
  kind: 'file_arrival',
  group: 'Files',
  fields: Type.Object(
    {
      /** Folder searched (default `monitoring.csv_directory`). */
      directory: fields.text(),
      /** File name with date tokens: {YYYYMMDD}, {YYYY}, {MM}, {DD} (local date). */
      pattern: fields.text(),
      /** When the file is expected, local. */
      expected: fields.localTime(),
      /** Missing after this (local) is CRITICAL. */
      deadline: fields.localTime(),
      /** Lines that are not data (a CSV header). A file with no lines beyond them is WARNING. */
      header_rows: Type.Integer({ minimum: 0, default: 1, expect: 'a whole number, 0 or more' }),
      /** Rows are counted in the first this many bytes; a larger file has "at least N rows". */
      max_scan_bytes: Type.Integer({ minimum: 1, default: 64 * 1024 * 1024, expect: 'a whole number of bytes, 1 or more' }),
    },
    { additionalProperties: false },
  ),
  defaults: (base) => ({ directory: base.monitoring.csv_directory }),
  validate: (pipeline) => [
    ...(pipeline.deadline < pipeline.expected ? [`deadline: ${pipeline.deadline} is before expected ${pipeline.expected}`] : []),
    // The pattern names a file in its folder, never a path: "../../etc/passwd" reads nothing outside it.
    ...(/[/\\]|^\.\.?$|\.\./.test(pipeline.pattern) ? [`pattern: "${pipeline.pattern}" must be a file name in its folder (no /, \\ or ..): put the folder in directory`] : []),
  ],
  // A file is not awaited on a closed day.
  quietOnClosedDays: () => true,
  async run(pipeline, ctx) {
    const zone = ctx.config.monitoring.timezone;
    // A relative folder is read from the working directory, like a relative --config path.
    const directory = resolve(pipeline.directory);
    const fileName = fillDateTemplate(pipeline.pattern, ctx.now, zone);
    const path = join(directory, fileName);
    await assertReadableFolder(directory);
    const file = await observeOnce(path, pipeline.header_rows, pipeline.max_scan_bytes, ctx.signal);
    const outcome = evaluateFileArrival({
      fileName,
      location: directory,
      file,
      now: ctx.now,
      zone,
      expected: pipeline.expected,
      deadline: pipeline.deadline,
    });
    return ruleOutcome(outcome, {
      file: fileName,
      directory,
      present: file.present,
      dataRows: file.present ? file.dataRows : null,
      expected: pipeline.expected,
      deadline: pipeline.deadline,
    });
  },
});

export type FileArrivalPipeline = PipelineOfKind<typeof fileArrival>;

async function assertReadableFolder(directory: string): Promise<void> {
  try {
    const folder = await opendir(directory);
    await folder.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist'
      : code === 'ENOTDIR' ? 'is not a folder'
      : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)'
      : `cannot be read (${code ?? 'error'})`;
    throw new SourceUnavailableError('folder', `folder ${directory} ${why}`);
  }
}

/**
 * Reads in progress, by file: a check of a file being read already shares that read (a big file
 * read by every overlapping round would pile up and hold a core each).
 */
const reading = new Map<string, Promise<FileObservation>>();

function observeOnce(path: string, headerRows: number, maxBytes: number, signal: AbortSignal): Promise<FileObservation> {
  const key = `${path}\u0000${headerRows}\u0000${maxBytes}`;
  let read = reading.get(key);
  if (!read) {
    read = observeFile(path, headerRows, maxBytes, signal).finally(() => reading.delete(key));
    reading.set(key, read);
  }
  return read;
}

async function observeFile(path: string, headerRows: number, maxBytes: number, signal: AbortSignal): Promise<FileObservation> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { present: false };
    throw new SourceUnavailableError('file', `${path} cannot be read (${code ?? 'error'})`);
  }
  if (!info.isFile()) throw new SourceUnavailableError('file', `${path} is there but is not a file`);
  try {
    const { lines, complete } = await countNonBlankLines(path, maxBytes, signal);
    return { present: true, dataRows: Math.max(0, lines - headerRows), ...(complete ? {} : { atLeast: true }) };
  } catch (err) {
    if (signal.aborted) throw new SourceUnavailableError('file', `${path} could not be read in time (the read was stopped)`);
    throw new SourceUnavailableError('file', `${path} is there but cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Lines with any non-blank character in the first `maxBytes` bytes, streamed so that a large
 * export is never held in memory, and stopped when `signal` aborts (the check's timeout).
 */
async function countNonBlankLines(path: string, maxBytes: number, signal: AbortSignal): Promise<{ lines: number; complete: boolean }> {
  let lines = 0;
  let lineHasContent = false;
  let read = 0;
  const stream = createReadStream(path, { signal, end: maxBytes - 1, highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    read += chunk.length;
    for (const byte of chunk) {
      if (byte === 0x0a) {
        if (lineHasContent) lines += 1;
        lineHasContent = false;
      } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) {
        lineHasContent = true;
      }
    }
  }
  const complete = read < maxBytes || (await stat(path)).size <= maxBytes;
  // A cut-off last line counts once the file is whole; at the cap it is only "at least".
  return { lines: lineHasContent && complete ? lines + 1 : lines, complete };
}
