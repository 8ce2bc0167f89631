import { bool, closed, list, ref, type Schema, str } from './schema-builders';

export const INPUT_ID_PATTERN = '^[a-zA-Z0-9][.a-zA-Z0-9_-]*$';

/** Input types Kestra 1.x accepts (ENUM was replaced by SELECT). */
export const VALID_INPUT_TYPES = [
  'STRING',
  'INT',
  'FLOAT',
  'BOOLEAN',
  'BOOL',
  'SELECT',
  'MULTISELECT',
  'DATETIME',
  'DATE',
  'TIME',
  'DURATION',
  'FILE',
  'JSON',
  'YAML',
  'URI',
  'SECRET',
  'ARRAY',
  'EMAIL',
] as const;
const inputCommon: Record<string, Schema> = {
  id: { type: 'string', pattern: INPUT_ID_PATTERN, description: 'Input id; dots create nested inputs' },
  name: str('Deprecated alias of id'),
  description: str('Markdown description'),
  displayName: str('Label shown in the UI'),
  required: bool('An execution needs a value', true),
  defaults: { description: 'Default value (rendered)' },
  prefill: { description: 'Initial value in the UI, only for optional inputs' },
  dependsOn: closed({ inputs: list(str()), condition: str('Expression gating the input') }, [], 'Inputs this one depends on'),
};

const selectProps: Record<string, Schema> = {
  values: { anyOf: [list({ type: ['string', 'number', 'boolean'] }), ref('expression')] },
  expression: str('Expression returning the values'),
  allowCustomValue: bool('Accept values not in the list', false),
  autoSelectFirst: bool('Preselect the first value', false),
  isRadio: bool('Show as radio buttons', false),
};

const INPUT_TYPE_PROPS: Record<string, Record<string, Schema>> = {
  STRING: { validator: str('Regular expression the value must match') },
  SECRET: { validator: str('Regular expression the value must match') },
  INT: { min: { type: 'integer' }, max: { type: 'integer' } },
  FLOAT: { min: { type: 'number' }, max: { type: 'number' } },
  BOOLEAN: {},
  BOOL: {},
  DATETIME: { after: str(), before: str() },
  DATE: { after: str(), before: str() },
  TIME: { after: str(), before: str() },
  DURATION: { min: ref('duration'), max: ref('duration') },
  FILE: { allowedFileExtensions: list(str()), extension: str('Deprecated: extension of the uploaded file') },
  JSON: {},
  YAML: {},
  URI: {},
  EMAIL: {},
  SELECT: selectProps,
  MULTISELECT: {
    ...selectProps,
    options: list(str(), 'Deprecated alias of values'),
    itemType: { type: 'string', enum: VALID_INPUT_TYPES.filter((t) => t !== 'ARRAY' && t !== 'MULTISELECT') },
  },
  ARRAY: { itemType: { type: 'string', enum: VALID_INPUT_TYPES.filter((t) => t !== 'ARRAY'), description: 'Type of every item' } },
};

/** The `input` definition: one branch per input type (core-spec §2), selected by `type`. */
export function inputDef(): Schema {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: [...VALID_INPUT_TYPES] } },
    anyOf: [{ required: ['id'] }, { required: ['name'] }],
    discriminator: { propertyName: 'type' },
    oneOf: VALID_INPUT_TYPES.map((t) => ({
      title: `${t} input`,
      properties: { type: { const: t }, ...inputCommon, ...INPUT_TYPE_PROPS[t] },
      ...(t === 'ARRAY' ? { required: ['itemType'] } : {}),
      additionalProperties: false,
    })),
  };
}

