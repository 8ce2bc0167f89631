import { describe, expect, it } from 'vitest';
import type { PluginDescriptor } from '../plugins/plugin';
import { PluginRegistry } from '../plugins/plugin-registry';
import { buildFlowSchema } from './flow-schema';
import { parseFlow, validateFlowSource, validateMultiDocument } from './parse-flow';
import { SCHEMA_REFS } from './schema-refs';

const LOG = 'io.kestra.plugin.core.log.Log';
const plugins: PluginDescriptor[] = [
  {
    type: LOG,
    aliases: ['io.kestra.core.tasks.log.Log'],
    kind: 'task',
    category: 'runnable',
    schema: {
      type: 'object',
      properties: { message: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, level: { type: 'string', enum: ['INFO', 'WARN'] } },
      required: ['message'],
    },
  },
  {
    type: 'io.kestra.plugin.core.flow.Sequential',
    kind: 'task',
    category: 'flowable',
    schema: { type: 'object', properties: { tasks: { $ref: SCHEMA_REFS.tasks }, errors: { $ref: SCHEMA_REFS.tasks } }, required: ['tasks'] },
  },
  {
    type: 'io.kestra.plugin.core.flow.Parallel',
    kind: 'task',
    category: 'flowable',
    schema: { type: 'object', properties: { tasks: { $ref: SCHEMA_REFS.tasks }, concurrent: { type: 'integer', minimum: 0 } }, required: ['tasks'] },
  },
  {
    type: 'io.kestra.plugin.core.flow.Dag',
    kind: 'task',
    category: 'flowable',
    schema: {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          items: { type: 'object', properties: { task: { $ref: SCHEMA_REFS.task }, dependsOn: { type: 'array', items: { type: 'string' } } }, required: ['task'], additionalProperties: false },
        },
      },
      required: ['tasks'],
    },
  },
  { type: 'io.kestra.plugin.core.flow.Sleep', kind: 'task', schema: { type: 'object', properties: { duration: { $ref: SCHEMA_REFS.duration } }, required: ['duration'] } },
  {
    type: 'io.kestra.plugin.git.SyncFlows',
    kind: 'task',
    schema: { type: 'object', properties: { url: { type: 'string' }, targetNamespace: { type: 'string' }, dryRun: { type: 'boolean' } }, required: ['url', 'targetNamespace'] },
  },
  {
    type: 'io.kestra.plugin.core.trigger.Schedule',
    kind: 'trigger',
    schema: { type: 'object', properties: { cron: { type: 'string' }, withSeconds: { type: 'boolean' }, timezone: { type: 'string' } }, required: ['cron'] },
  },
  { type: 'io.kestra.plugin.core.condition.Weekend', kind: 'condition', schema: { type: 'object', properties: { date: { type: 'string' } } } },
];
const registry = new PluginRegistry().register(...plugins);
const opts = { registry, fileName: 'flow.yml' };

const flow = (body: string) => `id: hello\nnamespace: company.team\n${body}`;
const LOG_TASK = `tasks:\n  - id: hello\n    type: ${LOG}\n    message: hi\n`;

describe('parseFlow', () => {
  it('returns the flow and the source verbatim, comments included', () => {
    const source = `# my flow\n${flow(LOG_TASK)}# trailing comment\n`;
    const r = parseFlow(source, opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.source).toBe(source);
    expect(r.flow.tasks[0]).toEqual({ id: 'hello', type: LOG, message: 'hi' });
  });

  it('locates a violation at its line and column with a Kestra-style path', () => {
    const r = parseFlow(flow(`tasks:\n  - id: hello\n    type: ${LOG}\n    message: hi\n    level: LOUD\n`), opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ path: 'tasks[0].level', line: 7, column: 12, file: 'flow.yml' });
    expect(r.violations[0].message).toContain('"INFO", "WARN"');
  });

  it('validates nested task lists recursively', () => {
    const body = `tasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: par\n        type: io.kestra.plugin.core.flow.Parallel\n        tasks:\n          - id: inner\n            type: ${LOG}\n            mesage: typo\n`;
    const vs = validateFlowSource(flow(body), opts);
    expect(vs.map((v) => v.path)).toEqual(['tasks[0].tasks[0].tasks[0]', 'tasks[0].tasks[0].tasks[0].mesage']);
    expect(vs[1].message).toContain('unknown property `mesage`');
    expect(vs[1].message).toContain('did you mean `message`');
  });

  it('accepts Pebble expressions where a number, boolean or enum is expected', () => {
    const body = `tasks:\n  - id: par\n    type: io.kestra.plugin.core.flow.Parallel\n    concurrent: "{{ inputs.n }}"\n    tasks:\n      - id: a\n        type: ${LOG}\n        message: x\n        level: "{{ inputs.level }}"\n`;
    expect(validateFlowSource(flow(body), opts)).toEqual([]);
    const bad = body.replace('"{{ inputs.n }}"', 'many');
    expect(validateFlowSource(flow(bad), opts).map((v) => v.message)).toEqual(['must be an integer, got string "many"']);
  });

  it('rejects duplicate task ids anywhere in the flow, triggers included', () => {
    const body = `tasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: a\n        type: ${LOG}\n        message: x\nerrors:\n  - id: a\n    type: ${LOG}\n    message: y\ntriggers:\n  - id: seq\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "@daily"\n`;
    const vs = validateFlowSource(flow(body), opts);
    expect(vs.map((v) => v.path)).toEqual(['errors[0].id', 'triggers[0].id']);
    expect(vs[0].message).toContain('errors[0].id repeats tasks[0].tasks[0].id');
  });

  it('names close matches for an unknown type, and finds unknown condition types', () => {
    const body = `${LOG_TASK}triggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 9 * * *"\n    conditions:\n      - type: io.kestra.plugin.core.condition.Weekendd\n`;
    const vs = validateFlowSource(flow(body.replace(`type: ${LOG}`, 'type: io.kestra.plugin.core.log.Lg')), opts);
    expect(vs.map((v) => [v.path, v.message])).toEqual([
      ['tasks[0].type', `unknown task type \`io.kestra.plugin.core.log.Lg\` (did you mean \`${LOG}\`?)`],
      ['triggers[0].conditions[0].type', 'unknown condition type `io.kestra.plugin.core.condition.Weekendd` (did you mean `io.kestra.plugin.core.condition.Weekend`?)'],
    ]);
  });

  it('lets the caller explain types it knows but does not run', () => {
    const src = flow('tasks:\n  - id: t\n    type: io.kestra.plugin.core.templating.TemplatedTask\n    spec: x\n');
    const unsupportedType = (t: string) => (t.endsWith('TemplatedTask') ? `\`${t}\` is not supported yet` : undefined);
    expect(validateFlowSource(src, { ...opts, unsupportedType }).map((v) => v.message)).toEqual([
      '`io.kestra.plugin.core.templating.TemplatedTask` is not supported yet',
    ]);
  });

  it('checks cron expressions of Schedule triggers, with seconds only when asked', () => {
    const sched = (cron: string, extra = '') => flow(`${LOG_TASK}triggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "${cron}"\n${extra}`);
    expect(validateFlowSource(sched('*/15 9-17 * * MON-FRI'), opts)).toEqual([]);
    expect(validateFlowSource(sched('@hourly'), opts)).toEqual([]);
    expect(validateFlowSource(sched('0 0 L * *'), opts)).toEqual([]);
    expect(validateFlowSource(sched('0 61 * * *'), opts)[0].message).toContain('hour 61 is out of range 0-23');
    expect(validateFlowSource(sched('0 0 9 * * *'), opts)[0].message).toContain('withSeconds');
    expect(validateFlowSource(sched('0 0 9 * * *', '    withSeconds: true\n'), opts)).toEqual([]);
  });

  it('checks the time zone of Schedule triggers', () => {
    const sched = (tz: string) => flow(`${LOG_TASK}triggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "@daily"\n    timezone: ${tz}\n`);
    expect(validateFlowSource(sched('Europe/Paris'), opts)).toEqual([]);
    expect(validateFlowSource(sched('UTC'), opts)).toEqual([]);
    expect(validateFlowSource(sched('"+02:00"'), opts)).toEqual([]);
    expect(validateFlowSource(sched('GMT-5'), opts)).toEqual([]);
    expect(validateFlowSource(sched('Europe/Pariss'), opts).map((v) => [v.path, v.message])).toEqual([
      ['triggers[0].timezone', 'unknown time zone `Europe/Pariss` (did you mean `Europe/Paris`?)'],
    ]);
  });

  it('checks ISO-8601 durations and accepts expressions', () => {
    const sleep = (d: string) => flow(`tasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: "${d}"\n`);
    for (const ok of ['PT5M', 'PT0.25S', 'P6DT4H', 'PT1H30M', '{{ inputs.d }}']) expect(validateFlowSource(sleep(ok), opts)).toEqual([]);
    for (const bad of ['PT', '5 minutes', 'P1M', 'P']) expect(validateFlowSource(sleep(bad), opts)[0].message).toContain(`invalid ISO-8601 duration "${bad}"`);
  });

  it('rejects Dag cycles and unknown dependencies', () => {
    const dag = (a: string, b: string) =>
      flow(`tasks:\n  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n      - task: {id: a, type: ${LOG}, message: x}\n        dependsOn: [${a}]\n      - task: {id: b, type: ${LOG}, message: y}\n        dependsOn: [${b}]\n`);
    expect(validateFlowSource(dag('b', 'a'), opts).map((v) => v.message)).toEqual(['Dag has a dependency cycle: a -> b -> a']);
    expect(validateFlowSource(dag('nope', ''), opts).map((v) => [v.path, v.message])).toEqual([
      ['tasks[0].tasks[0].dependsOn[0]', 'Dag task `a` depends on `nope`, which is not a task of this Dag'],
    ]);
  });

  it('lets pluginDefaults supply required properties', () => {
    const body = `tasks:\n  - id: sync\n    type: io.kestra.plugin.git.SyncFlows\n    targetNamespace: prod\npluginDefaults:\n  - type: io.kestra.plugin.git\n    values:\n      url: https://example.com/repo.git\n      dryRun: true\n      unrelated: 1\n`;
    expect(validateFlowSource(flow(body), opts)).toEqual([]);
    expect(validateFlowSource(flow(body.replace(/pluginDefaults[\s\S]*/, '')), opts)[0].message).toContain('missing required property `url`');
  });

  it('applies defaults of common properties such as a global retry, and validates them', () => {
    const body = (interval: string) =>
      `${LOG_TASK}pluginDefaults:\n  - type: io.kestra\n    values:\n      retry: {type: constant, interval: ${interval}, maxAttempts: 3}\n`;
    expect(validateFlowSource(flow(body('PT10S')), opts)).toEqual([]);
    expect(validateFlowSource(flow(body('PT')), opts).map((v) => [v.path, v.message])).toEqual([
      ['tasks[0].retry.interval', 'invalid ISO-8601 duration "PT" (no amount/unit after PT; e.g. PT5M)'],
    ]);
  });

  it('applies input rules: defaults with required false, ARRAY itemType, ENUM removed', () => {
    const inputs = `inputs:\n  - id: a\n    type: STRING\n    defaults: x\n    required: false\n  - id: b\n    type: ARRAY\n  - id: c\n    type: ENUM\n    values: [X]\n${LOG_TASK}`;
    const vs = validateFlowSource(flow(inputs), opts);
    expect(vs.map((v) => v.path)).toEqual(['inputs[0].defaults', 'inputs[1]', 'inputs[2].type']);
    expect(vs[1].message).toContain('missing required property `itemType`');
    expect(vs[2].message).toContain('use `SELECT`');
  });

  it('refuses a source with several documents', () => {
    const r = parseFlow(`${flow(LOG_TASK)}---\n${flow(LOG_TASK)}`, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations[0]).toMatchObject({ line: 8, message: 'source contains 2 YAML documents; a flow is one document' });
  });
});

describe('validateMultiDocument', () => {
  it('reports every document with its index in the shape of Kestra /flows/validate', () => {
    const second = 'id: second\ntasks:\n  - id: t\n    type: io.kestra.core.tasks.log.Log\n    message: hi\n';
    const results = validateMultiDocument(`${flow(LOG_TASK)}---\n${second}`, opts);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ index: 0, filename: 'flow.yml', flow: 'hello', namespace: 'company.team', constraints: null, outdated: false, deprecationPaths: [] });
    expect(results[1]).toMatchObject({
      index: 1,
      flow: 'second',
      namespace: null,
      constraints: 'document 2 of 2: missing required property `namespace` at the flow root',
      deprecationPaths: ['tasks[0].type'],
    });
    expect(results[1].violations[0].line).toBe(8);
    expect(results[1].source).toBe(second);
  });

  it('marks a document outdated when its revision is not the next one', () => {
    const r = validateMultiDocument(`revision: 3\n${flow(LOG_TASK)}`, { ...opts, latestRevision: () => 7 });
    expect(r[0].outdated).toBe(true);
    expect(validateMultiDocument(`revision: 8\n${flow(LOG_TASK)}`, { ...opts, latestRevision: () => 7 })[0].outdated).toBe(false);
    expect(validateMultiDocument(`revision: 8\n${flow(LOG_TASK)}`, { ...opts, latestRevision: () => undefined })[0].outdated).toBe(false);
  });
});

describe('buildFlowSchema', () => {
  it('adds a branch per registered plugin type, so registering a plugin makes its type valid', () => {
    const reg = new PluginRegistry().register(plugins[0]);
    const src = flow(`tasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1S\n`);
    expect(validateFlowSource(src, { registry: reg })[0].message).toContain('unknown task type');
    reg.register(plugins[4]);
    expect(validateFlowSource(src, { registry: reg })).toEqual([]);
    const schema = buildFlowSchema(reg) as { $defs: { task: { oneOf: unknown[] } } };
    expect(schema.$defs.task.oneOf).toHaveLength(2);
  });
});

describe('flow rules', () => {
  it('rejects a flow that calls itself as a subflow', () => {
    const reg = new PluginRegistry().register({
      type: 'io.kestra.plugin.core.flow.Subflow',
      kind: 'task',
      schema: { type: 'object', properties: { namespace: { type: 'string' }, flowId: { type: 'string' } }, required: ['namespace', 'flowId'] },
    });
    const src = flow('tasks:\n  - id: again\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.team\n    flowId: hello\n');
    expect(validateFlowSource(src, { registry: reg }).map((v) => [v.path, v.message])).toEqual([
      ['tasks[0].flowId', 'a flow cannot call itself: this Subflow task executes `company.team.hello`'],
    ]);
    expect(validateFlowSource(src.replace('flowId: hello', 'flowId: other'), { registry: reg })).toEqual([]);
  });

  it('reports a missing input id once, not once per accepted alternative', () => {
    const vs = validateFlowSource(flow(`inputs:\n  - type: STRING\n${LOG_TASK}`), opts);
    expect(vs.map((v) => [v.path, v.message])).toEqual([['inputs[0]', 'missing required property `id` (STRING input)']]);
  });
});

describe('scalar coercion', () => {
  it('accepts numbers and booleans for string properties, as Kestra reads them', () => {
    expect(validateFlowSource(flow(`tasks:\n  - id: a\n    type: ${LOG}\n    message: 42\n`), opts)).toEqual([]);
    expect(validateFlowSource(flow(`tasks:\n  - id: a\n    type: ${LOG}\n    message: {text: hi}\n`), opts).map((v) => v.message)).toEqual([
      'must be a string value or a list, got a mapping',
    ]);
  });
});
