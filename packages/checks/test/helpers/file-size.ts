import { stat } from 'node:fs/promises';
import Type from 'typebox';
import { defineKind, fields, SourceUnavailableError } from '../../src/index.ts';

/**
 * A worked example of a new check kind (README, "Adding a check kind"): this one file, plus one
 * line in a registry, is the whole of it. `file_size`: a file that must be at least `min_bytes`.
 */
export const fileSize = defineKind({
  kind: 'file_size',
  group: 'Files',
  fields: Type.Object(
    {
      path: fields.text(),
      min_bytes: Type.Integer({ minimum: 1, default: 1, expect: 'a whole number of bytes, 1 or more' }),
    },
    { additionalProperties: false },
  ),
  async run(pipeline) {
    let size: number;
    try {
      size = (await stat(pipeline.path)).size;
    } catch {
      throw new SourceUnavailableError('file', `${pipeline.path} cannot be read`);
    }
    const ok = size >= pipeline.min_bytes;
    return {
      status: ok ? 'OK' : 'CRITICAL',
      message: `${pipeline.path} is ${size} bytes${ok ? '' : ` (critical below ${pipeline.min_bytes})`}`,
      value: size,
      details: { threshold: `${pipeline.min_bytes} bytes` },
    };
  },
});
