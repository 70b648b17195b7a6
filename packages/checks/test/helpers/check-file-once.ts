/**
 * Runs one file check and prints its result as JSON: the file-arrival test runs it in a child
 * process without the capability to read any folder (as root, CI's user) to see a real EACCES.
 */
import { createCheckRunner } from '../../src/index.ts';
import { filePipeline } from './pipelines.ts';
import { testConfig } from './test-config.ts';

const [folder = '', at = ''] = process.argv.slice(2);
const runner = createCheckRunner(testConfig({ monitoring: { timezone: 'Europe/London' } }));
const result = await runner.run(filePipeline(folder), new Date(at));
await runner.close();
process.stdout.write(JSON.stringify(result));
