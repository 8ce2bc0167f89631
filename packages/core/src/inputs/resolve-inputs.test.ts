import { describe, expect, it } from 'vitest';
import { render, renderTyped, truthy } from '../expressions';
import type { EngineRenderer } from '../engine/engine-types';
import type { InputDefinition } from '../model/flow';
import { resolveInputs } from './resolve-inputs';

const renderer: EngineRenderer = { render: (t, v) => render(t, v), renderTyped: (t, v) => renderTyped(t, v), truthy };
const defs = (...d: InputDefinition[]) => d;

describe('resolveInputs', () => {
  it('coerces each type from form text', async () => {
    const v = await resolveInputs(
      defs(
        { id: 's', type: 'STRING' },
        { id: 'i', type: 'INT' },
        { id: 'f', type: 'FLOAT' },
        { id: 'b', type: 'BOOL' },
        { id: 'legacy', type: 'BOOLEAN' },
        { id: 'dt', type: 'DATETIME' },
        { id: 'd', type: 'DATE' },
        { id: 't', type: 'TIME' },
        { id: 'dur', type: 'DURATION' },
        { id: 'j', type: 'JSON' },
        { id: 'y', type: 'YAML' },
        { id: 'u', type: 'URI' },
        { id: 'e', type: 'EMAIL' },
        { id: 'a', type: 'ARRAY', itemType: 'INT' },
        { id: 'sel', type: 'SELECT', values: ['A', 'B'] },
        { id: 'multi', type: 'MULTISELECT', values: ['x', 'y', 'z'] },
        { id: 'file', type: 'FILE' },
        { id: 'secret', type: 'SECRET' },
      ),
      {
        s: 'text',
        i: '42',
        f: '2.5',
        b: 'true',
        legacy: 'false',
        dt: '2024-01-02T03:04:05+02:00',
        d: '2024-01-02',
        t: '10:30',
        dur: 'PT5M',
        j: '{"a": [1, 2]}',
        y: 'a: 1\nb: [x, y]',
        u: 'https://kestra.io/docs',
        e: 'ada@example.com',
        a: '[1, 2, 3]',
        sel: 'B',
        multi: '["x", "z"]',
        file: 'kestra:///company/team/f/executions/1/inputs/file/a.txt',
        secret: 'p4ss',
      },
      { renderer },
    );
    expect(v).toEqual({
      s: 'text',
      i: 42,
      f: 2.5,
      b: true,
      legacy: false,
      dt: '2024-01-02T01:04:05.000Z',
      d: '2024-01-02',
      t: '10:30:00',
      dur: 'PT5M',
      j: { a: [1, 2] },
      y: { a: 1, b: ['x', 'y'] },
      u: 'https://kestra.io/docs',
      e: 'ada@example.com',
      a: [1, 2, 3],
      sel: 'B',
      multi: ['x', 'z'],
      file: 'kestra:///company/team/f/executions/1/inputs/file/a.txt',
      secret: 'p4ss',
    });
  });

  it('reports every invalid value with its path', async () => {
    const err = await resolveInputs(
      defs(
        { id: 'i', type: 'INT', min: 10 },
        { id: 'mail', type: 'EMAIL' },
        { id: 'code', type: 'STRING', validator: '[A-Z]{3}' },
        { id: 'sel', type: 'SELECT', values: ['A'] },
        { id: 'missing', type: 'STRING' },
        { id: 'when', type: 'DATE', after: '2024-01-01' },
      ),
      { i: '5', mail: 'nope', code: 'abc', sel: 'Z', when: '2023-12-31' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID' });
    const paths = (err as { violations: { path: string }[] }).violations.map((v) => v.path);
    expect(paths).toEqual(['inputs.i', 'inputs.mail', 'inputs.code', 'inputs.sel', 'inputs.missing', 'inputs.when']);
  });

  it('renders dynamic defaults, keeps optional inputs null and nests dotted ids', async () => {
    const v = await resolveInputs(
      defs({ id: 'name', type: 'STRING', defaults: 'Ada' }, { id: 'greeting', type: 'STRING', defaults: 'Hello {{ inputs.name }}', dependsOn: { inputs: ['name'] } }, { id: 'opt', type: 'INT', required: false }, { id: 'user.first', type: 'STRING' }),
      { 'user.first': 'Grace' },
      { renderer },
    );
    expect(v).toEqual({ name: 'Ada', greeting: 'Hello Ada', opt: null, 'user.first': 'Grace' });
  });

  it('skips an input whose dependsOn condition is false', async () => {
    const v = await resolveInputs(
      defs({ id: 'cloud', type: 'SELECT', values: ['aws', 'gcp'] }, { id: 'region', type: 'STRING', dependsOn: { inputs: ['cloud'], condition: "{{ inputs.cloud == 'aws' }}" } }),
      { cloud: 'gcp' },
      { renderer },
    );
    expect(v).toEqual({ cloud: 'gcp' });
  });

  it('checks FILE extensions', async () => {
    await expect(resolveInputs(defs({ id: 'f', type: 'FILE', allowedFileExtensions: ['.csv'] }), { f: 'kestra:///x/y.txt' })).rejects.toMatchObject({ code: 'INVALID' });
  });
});
