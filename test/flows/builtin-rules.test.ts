import { validateFlowSource } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';

const registry = createDescriptorRegistry();
const check = (yaml: string) => validateFlowSource(yaml, { registry }).map((v) => [v.path, v.message]);
const FLOW = 'id: alerts\nnamespace: system\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.executionId }}"\n';

describe('rules on built-in plugins', () => {
  it('requires declarative Flow trigger preconditions', () => {
    const trigger = (ns: string) =>
      `${FLOW}triggers:\n  - id: on_failure\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      id: upstream\n      flows:\n        - namespace: ${ns}\n          states: [FAILED]\n`;
    expect(check(trigger('company.team'))).toEqual([]);
    expect(check(trigger('"{{ flow.namespace }}"'))).toEqual([
      ['triggers[0].preconditions.flows[0].namespace', 'preconditions must be declarative: Pebble expressions are not rendered in them'],
    ]);
  });

  it('validates conditions and task runners nested in triggers and script tasks', () => {
    const yaml = `${FLOW}  - id: sh\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands: [ls]\n    taskRunner:\n      type: io.kestra.plugin.core.runner.Proces\ntriggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 9 * * *"\n    conditions:\n      - type: io.kestra.plugin.core.condition.DayWeek\n        dayOfWeek: MONDAY\n      - type: io.kestra.plugin.core.condition.DayWeek\n        dayOfWeek: LUNDI\n`;
    expect(check(yaml)).toEqual([
      ['tasks[1].taskRunner.type', 'unknown task runner type `io.kestra.plugin.core.runner.Proces` (did you mean `io.kestra.plugin.core.runner.Process`?)'],
      [
        'triggers[0].conditions[1].dayOfWeek',
        'must be one of "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY", got string "LUNDI"',
      ],
    ]);
  });

  it('accepts legacy type names and flags unknown properties of git tasks', () => {
    const yaml = `id: sync\nnamespace: system\ntasks:\n  - id: legacy\n    type: io.kestra.core.tasks.log.Log\n    message: hi\n  - id: git\n    type: io.kestra.plugin.git.SyncFlows\n    url: https://example.com/repo.git\n    targetNamespace: prod\n    gitDir: flows\n`;
    expect(check(yaml)).toEqual([['tasks[1].gitDir', 'unknown property `gitDir` (io.kestra.plugin.git.SyncFlows) (did you mean `gitDirectory`?)']]);
  });
});
