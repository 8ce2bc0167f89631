import { buildFlowSchema, validateFlowSource } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DOCS_FLOWS, INVALID_FLOWS, read, yamlFiles } from './flow-fixtures';

const registry = createDescriptorRegistry();

describe('the flow JSON Schema written for editors', () => {
  // What an editor does with `# yaml-language-server: $schema=dist/flow.schema.json`: one plain draft 2020-12 validation.
  const ajv = new Ajv2020({ strict: false, allErrors: false, code: { optimize: false } });
  ajv.addFormat('kestra-duration', true);
  const validate = ajv.compile(buildFlowSchema(registry));

  it('accepts the documentation flows the validator accepts', () => {
    const accepted = yamlFiles(DOCS_FLOWS)
      .map((f) => read(DOCS_FLOWS, f))
      .filter((s) => validateFlowSource(s, { registry }).length === 0);
    expect(accepted.length).toBeGreaterThan(150);
    for (const source of accepted) expect(validate(parse(source)), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('rejects invalid flows a schema can catch', () => {
    for (const f of ['04-unknown-task-type.yaml', '05-task-without-id.yaml', '12-subflow-missing-namespace.yaml', '16-unknown-top-level-property.yaml', '17-retry-maxattempts-wrong-type.yaml']) {
      expect(validate(parse(read(INVALID_FLOWS, f))), f).toBe(false);
    }
  });
});
