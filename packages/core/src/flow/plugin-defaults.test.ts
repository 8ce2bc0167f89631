import { describe, expect, it } from 'vitest';
import { applyPluginDefaults, pluginDefaultMatches } from './plugin-defaults';

const LOG = 'io.kestra.plugin.core.log.Log';

describe('pluginDefaultMatches', () => {
  it('matches the exact type and package prefixes, not partial segments', () => {
    expect(pluginDefaultMatches(LOG, LOG)).toBe(true);
    expect(pluginDefaultMatches('io.kestra.plugin.core', LOG)).toBe(true);
    expect(pluginDefaultMatches('io.kestra', LOG)).toBe(true);
    expect(pluginDefaultMatches('io.kestra.plugin.core.lo', LOG)).toBe(false);
    expect(pluginDefaultMatches('io.kestra.plugin.git', LOG)).toBe(false);
  });
});

describe('applyPluginDefaults', () => {
  it('fills missing properties from a flow-level default without overriding the task', () => {
    const task = { id: 'a', type: LOG, message: 'hi' };
    const out = applyPluginDefaults(task, [{ type: LOG, values: { level: 'WARN', message: 'default' } }]);
    expect(out).toEqual({ id: 'a', type: LOG, message: 'hi', level: 'WARN' });
    expect(task).toEqual({ id: 'a', type: LOG, message: 'hi' });
  });

  it('lets a forced default override the task value', () => {
    const out = applyPluginDefaults({ id: 'a', type: LOG, level: 'INFO' }, [{ type: LOG, forced: true, values: { level: 'ERROR' } }]);
    expect(out.level).toBe('ERROR');
  });

  it('prefers flow-level defaults over global ones, and global forced over the task', () => {
    const task = { id: 'a', type: LOG, message: 'x' };
    const flow = [{ type: 'io.kestra', values: { level: 'DEBUG' } }];
    const global = [
      { type: 'io.kestra', values: { level: 'TRACE', logToFile: true } },
      { type: LOG, forced: true, values: { message: 'forced' } },
    ];
    expect(applyPluginDefaults(task, flow, global)).toEqual({ id: 'a', type: LOG, message: 'forced', level: 'DEBUG', logToFile: true });
  });

  it('lets a more specific type win over a shorter prefix at the same level', () => {
    const out = applyPluginDefaults({ id: 'a', type: LOG }, [
      { type: LOG, values: { level: 'ERROR' } },
      { type: 'io.kestra.plugin.core', values: { level: 'DEBUG' } },
    ]);
    expect(out.level).toBe('ERROR');
  });

  it('deep-merges nested maps such as taskRunner', () => {
    const task = { id: 's', type: 'io.kestra.plugin.scripts.shell.Commands', taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker' } };
    const out = applyPluginDefaults(task, [{ type: 'io.kestra.plugin.scripts', values: { taskRunner: { pullPolicy: 'ALWAYS' }, containerImage: 'ubuntu:24.04' } }]);
    expect(out.taskRunner).toEqual({ type: 'io.kestra.plugin.scripts.runner.docker.Docker', pullPolicy: 'ALWAYS' });
    expect(out.containerImage).toBe('ubuntu:24.04');
  });

  it('never changes the id or type, and applies defaults written for an alias', () => {
    const out = applyPluginDefaults({ id: 'a', type: LOG }, [{ type: 'io.kestra.core.tasks.log.Log', values: { id: 'b', type: 'x', level: 'WARN' } }], [], {
      aliases: ['io.kestra.core.tasks.log.Log'],
    });
    expect(out).toEqual({ id: 'a', type: LOG, level: 'WARN' });
  });

  it('keeps only the properties the filter accepts', () => {
    const out = applyPluginDefaults({ id: 'a', type: LOG }, [{ type: 'io.kestra', values: { level: 'WARN', dryRun: true } }], [], { filter: (k) => k === 'level' });
    expect(out).toEqual({ id: 'a', type: LOG, level: 'WARN' });
  });

  it('returns the same object when no default matches', () => {
    const task = { id: 'a', type: LOG };
    expect(applyPluginDefaults(task, [{ type: 'io.kestra.plugin.git', values: { url: 'x' } }])).toBe(task);
  });
});
