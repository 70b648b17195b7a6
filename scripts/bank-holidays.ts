// `npm run holidays`: writes packages/core/src/bank-holidays-table.ts from the installed
// date-holidays (run it after updating date-holidays; a core test says when it is due).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBankHolidayTable } from '../packages/core/src/bank-holidays.ts';

const TABLE_YEARS = { from: 2000, to: 2080 } as const;
const file = join(import.meta.dirname, '../packages/core/src/bank-holidays-table.ts');
writeFileSync(file, renderBankHolidayTable(TABLE_YEARS.from, TABLE_YEARS.to));
process.stdout.write(`wrote ${file} (${TABLE_YEARS.from}-${TABLE_YEARS.to})\n`);
