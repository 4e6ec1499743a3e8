/**
 * JSON Schema (draft 2020-12) of every event type, built from the same field table the
 * validator uses. `npm run schema` writes it to docs/events.schema.json; a test keeps the file
 * equal to this output and checks that schema and validator agree on a corpus of messages.
 *
 * What JSON Schema cannot say and the validator adds: `ts` must also be a real calendar instant
 * within 1970–9999 (the pattern checks the shape only); the subject must match kind and shop.
 */
import { EVENT_FIELDS, ID_MAX_LENGTH, MAX_MESSAGE_BYTES, type FieldSpec } from './contract.ts';
import { EVENT_TYPES } from './types.ts';

type JsonSchema = Record<string, unknown>;

const TS_PATTERN = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';

function fieldSchema(spec: FieldSpec): JsonSchema {
  const t = spec.type;
  switch (t.kind) {
    case 'entityId':
    case 'text':
      return { type: 'string', minLength: 1, description: spec.description };
    case 'amount':
      return { type: 'number', minimum: 0, description: spec.description };
    case 'enum':
      return { enum: [...t.values], description: spec.description };
    case 'queue':
      return { type: 'string', pattern: '^[a-z0-9_-]{1,32}$', description: spec.description };
    case 'queueList':
      return { type: 'array', items: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' }, description: spec.description };
    case 'positiveInteger':
      return { type: 'integer', minimum: 1, description: spec.description };
  }
}

/** Optional fields accept JSON null (null counts as absent, EVENTS.md). */
function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: 'null' }] };
}

export function buildEventsJsonSchema(): JsonSchema {
  const variants = EVENT_TYPES.map((type) => {
    const properties: Record<string, JsonSchema> = {
      type: { const: type },
    };
    const required = ['id', 'type', 'ts', 'shop'];
    for (const spec of EVENT_FIELDS[type]) {
      properties[spec.wire] = spec.required ? fieldSchema(spec) : nullable(fieldSchema(spec));
      if (spec.required) required.push(spec.wire);
    }
    const variant: JsonSchema = { title: type, properties, required };
    if (type === 'chat.message') {
      // An agent message needs agent_id.
      variant.if = { properties: { from: { const: 'agent' } } };
      variant.then = { properties: { agent_id: fieldSchema(EVENT_FIELDS['chat.message'][2] as FieldSpec) }, required: ['agent_id'] };
    }
    return variant;
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://peakboard.dev/schemas/events.v1.json',
    title: 'Peakboard event contract v1',
    description: `One JSON object per NATS message on ops.<kind>.<shop> (at most ${MAX_MESSAGE_BYTES} bytes). Unknown extra fields are accepted.`,
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH },
      type: { enum: [...EVENT_TYPES] },
      ts: { type: 'string', pattern: TS_PATTERN, description: 'RFC 3339 with offset; fraction truncated to ms' },
      shop: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    },
    required: ['id', 'type', 'ts', 'shop'],
    oneOf: variants,
  };
}
