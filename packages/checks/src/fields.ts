import Type from 'typebox';

/**
 * Schema pieces the kinds' fields are made of. `expect` says, in words, what a value must be:
 * the config loader puts it in its messages ("pipelines[2].expected: must be a local time
 * "HH:MM" (00:00-23:59), got "11.31"").
 */
export const fields = {
  text: (options: { default?: string } = {}) => Type.String({ minLength: 1, expect: 'a non-empty string', ...options }),
  localTime: () => Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', expect: 'a local time "HH:MM" (00:00-23:59)' }),
  amount: () => Type.Number({ minimum: 0, expect: 'a number, 0 or more' }),
  wholeAmount: () => Type.Integer({ minimum: 0, expect: 'a whole number, 0 or more' }),
  filters: () =>
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
      default: {},
      expect: 'a mapping of column to a plain value (string, number, true/false or null; no SQL)',
    }),
  nullable: <S extends Parameters<typeof Type.Union>[0][number]>(schema: S) => Type.Union([schema, Type.Null()], { default: null }),
};
