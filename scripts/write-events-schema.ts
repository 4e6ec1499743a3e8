/** Writes docs/events.schema.json from the validator's field table (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildEventsJsonSchema } from '../server/events/schema.ts';

const target = resolve(import.meta.dirname, '..', 'docs', 'events.schema.json');
writeFileSync(target, JSON.stringify(buildEventsJsonSchema(), null, 2) + '\n');
console.error(`wrote ${target}`);
