import { validateMultiDocument } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { INVALID_FLOWS, read, yamlFiles } from './flow-fixtures';

const registry = createDescriptorRegistry();

/**
 * For each file: the property path of its `# expect:` line ('' = flow root or
 * no flow at all), the words the message must contain, and the line reported.
 */
const EXPECTED: Record<string, { path: string; words: string[]; line?: number; document?: number }> = {
  '01-missing-flow-id.yaml': { path: '', words: ['missing required property `id`', 'flow root'] },
  '02-namespace-invalid-characters.yaml': { path: 'namespace', words: ['"Company.Data Team"', 'lowercase'], line: 3 },
  '03-duplicate-task-ids.yaml': { path: 'tasks[1].id', words: ['duplicate task id `extract`', 'tasks[1].id repeats tasks[0].id'], line: 10 },
  '04-unknown-task-type.yaml': { path: 'tasks[0].type', words: ['unknown task type `io.kestra.plugin.core.log.Logg`', 'did you mean `io.kestra.plugin.core.log.Log`'], line: 7 },
  '05-task-without-id.yaml': { path: 'tasks[1]', words: ['missing required property `id`'], line: 10 },
  '06-tasks-not-a-list.yaml': { path: 'tasks', words: ['must be a list of tasks', 'got a mapping'], line: 6 },
  '07-flow-id-too-long.yaml': { path: 'id', words: ['101 characters', 'limited to 100'], line: 2 },
  '08-reserved-flow-id.yaml': { path: 'id', words: ['"kill" is a reserved flow id'], line: 2 },
  '09-schedule-invalid-cron.yaml': { path: 'triggers[0].cron', words: ['invalid cron expression "0 25 * * *"', 'hour 25 is out of range 0-23'], line: 13 },
  '10-invalid-input-type.yaml': { path: 'inputs[0].type', words: ['invalid input type `TEXT`', 'allowed: STRING'], line: 7 },
  '11-duplicate-input-id.yaml': { path: 'inputs[1].id', words: ['duplicate input id `user`', 'inputs[1].id repeats inputs[0].id'], line: 10 },
  '12-subflow-missing-namespace.yaml': { path: 'tasks[0]', words: ['missing required property `namespace`', 'io.kestra.plugin.core.flow.Subflow'], line: 6 },
  '13-foreach-without-values.yaml': { path: 'tasks[0]', words: ['missing required property `values`', 'io.kestra.plugin.core.flow.ForEach'] },
  '14-if-without-condition.yaml': { path: 'tasks[0]', words: ['missing required property `condition`', 'io.kestra.plugin.core.flow.If'] },
  '15-concurrency-limit-zero.yaml': { path: 'concurrency.limit', words: ['is 0', 'integer >= 1'], line: 6 },
  '16-unknown-top-level-property.yaml': { path: 'trigger', words: ['unknown property `trigger`', 'did you mean `triggers`'], line: 10 },
  '17-retry-maxattempts-wrong-type.yaml': { path: 'tasks[0].retry.maxAttempts', words: ['must be an integer', 'got string "three"'], line: 12 },
  '18-invalid-duration.yaml': { path: 'tasks[0].timeout', words: ['invalid ISO-8601 duration "PT"', 'no amount/unit after PT'], line: 9 },
  '19-yaml-bad-indentation.yaml': { path: '', words: ['YAML syntax error', 'bad indentation'] },
  '20-tab-indentation.yaml': { path: '', words: ['YAML syntax error', 'tab character used for indentation'], line: 6 },
  '21-empty-file.yaml': { path: '', words: ['empty flow source', '`id`, `namespace` and `tasks`'] },
  '22-multiple-documents-one-invalid.yaml': { path: '', words: ['document 2 of 2', 'missing required property `namespace`'], document: 1, line: 10 },
  '23-label-non-string-value.yaml': { path: 'labels.owner', words: ['must be a string value', 'got a mapping'], line: 8 },
  '24-webhook-without-key.yaml': { path: 'triggers[0]', words: ['missing required property `key`', 'io.kestra.plugin.core.trigger.Webhook'], line: 11 },
  '25-plugin-defaults-without-type.yaml': { path: 'pluginDefaults[0]', words: ['missing required property `type`'], line: 11 },
};

describe('invalid flows', () => {
  it('has an expectation for every example', () => {
    expect(yamlFiles(INVALID_FLOWS)).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('rejects %s naming the problem and its path', (file, expected) => {
    const source = read(INVALID_FLOWS, file);
    expect(source.split('\n')[0]).toMatch(/^# expect: /);
    const results = validateMultiDocument(source, { registry, fileName: file });
    const doc = expected.document ?? 0;
    const violations = results[doc].violations;
    expect(violations.length).toBeGreaterThan(0);
    expect(results[doc].constraints).not.toBeNull();
    // The reported problem is the described one: same path, and the message names it.
    const match = violations.find((v) => (v.path ?? '') === expected.path && expected.words.every((w) => v.message.includes(w)));
    expect(match, JSON.stringify(violations, null, 2)).toBeDefined();
    expect(match?.file).toBe(file);
    if (expected.line !== undefined) expect(match?.line).toBe(expected.line);
    expect(match?.column).toBeGreaterThan(0);
    if (/[.[]/.test(expected.path)) expect(match?.message).not.toContain('flow root');
    // One mistake, one message (the tab file has one per tab-indented line).
    expect(violations).toHaveLength(file.startsWith('20-') ? 3 : 1);
    // Apart from the multi-document case, nothing else in the file is valid.
    for (const [i, r] of results.entries()) if (i !== doc) expect(r.violations).toEqual([]);
  });
});
