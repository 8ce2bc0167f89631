import { createTaskRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { createCoreFlowValidator } from './core-flow-validator';

const validator = createCoreFlowValidator(createTaskRegistry());

describe('createCoreFlowValidator', () => {
  it('accepts implemented tasks with built-in triggers', () => {
    const r = validator.validate(`id: hook
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: abc
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
`);
    expect(r.violations).toEqual([]);
    expect(r.flow?.id).toBe('hook');
  });

  it('rejects an unknown task type with its path', () => {
    const r = validator.validate('id: x\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Lgo\n    message: hi\n');
    expect(r.flow).toBeUndefined();
    expect(r.violations[0]?.path).toBe('tasks[0].type');
  });
});
