import { describe, expect, it } from 'vitest';
import { lineInSource, pathSegments, splitConstraint } from './yaml-locations';

describe('yaml-locations', () => {
  it('reads validation paths and JSON pointers as segments', () => {
    expect(pathSegments('tasks[1].retry.type')).toEqual(['tasks', 1, 'retry', 'type']);
    expect(pathSegments('/spec/a~1b')).toEqual(['spec', 'a/b']);
    expect(pathSegments('')).toEqual([]);
  });

  it('splits a constraint into path and message, and leaves a path-less message whole', () => {
    expect(splitConstraint('tasks[0].type: unknown task type `x`')).toEqual({ path: 'tasks[0].type', message: 'unknown task type `x`' });
    expect(splitConstraint('YAML syntax error: bad indentation')).toEqual({ message: 'YAML syntax error: bad indentation' });
  });

  it('finds the line of a property inside a flow, the parent line for a missing one, and the line of a YAML error', () => {
    const src = 'id: a\nnamespace: n\ntasks:\n  - id: t\n    type: x\n  - id: u\n    type: y\n';
    expect(lineInSource(src, 'tasks[1].type')).toBe(7);
    expect(lineInSource(src, 'tasks[1].message')).toBe(6);
    expect(lineInSource(src, 'tasks')).toBe(3);
    expect(lineInSource('id: a\ntasks:\n  - id: t\n   type: x\n', undefined)).toBe(4);
  });
});
