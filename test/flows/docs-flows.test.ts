import { validateMultiDocument } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { DOCS_FLOWS, read, readManifest } from './flow-fixtures';

const registry = createDescriptorRegistry();
const validate = (file: string) => validateMultiDocument(read(DOCS_FLOWS, file), { registry, fileName: file });

/** A manifest type counts as registered when it resolves, or when it is a pluginDefaults prefix of a registered type. */
const registered = (type: string) => registry.get(type) !== undefined || registry.names().some((n) => n.startsWith(`${type}.`));

/** The four examples the documentation prints but Kestra 1.x rejects (docs-flows/README.md), with the message we must give. */
const KESTRA_REJECTS: Record<string, { path: string; message: string }> = {
  '0165-company.team.pause.yaml': { path: 'id', message: '`id` "pause" is a reserved flow id' },
  '0112-company.team.finally_example.yaml': { path: 'tasks[0].errorMessage', message: 'unknown property `errorMessage`' },
  '0026-company.team.templated_databricks_job.yaml': { path: 'inputs[4].type', message: 'input type `ENUM` is no longer supported' },
  '0167-company.team.template.yaml': { path: 'tasks[0].type', message: 'type `io.kestra.plugin.core.flow.Template` is no longer supported' },
};

const manifest = readManifest();
const supported = manifest.filter((m) => m.types.every(registered) && !(m.file in KESTRA_REJECTS));
const unsupported = manifest.filter((m) => !m.types.every(registered) && !(m.file in KESTRA_REJECTS));

describe('Kestra documentation flows', () => {
  it('covers most of the documentation examples with registered types', () => {
    expect(manifest.length).toBe(192);
    expect(supported.length).toBeGreaterThan(150);
  });

  it.each(supported.map((m) => m.file))('accepts %s', (file) => {
    const results = validate(file);
    expect(results).toHaveLength(1);
    expect(results[0].violations).toEqual([]);
    expect(results[0].constraints).toBeNull();
  });

  it.each(Object.entries(KESTRA_REJECTS))('rejects %s as Kestra does', (file, expected) => {
    const violations = validate(file)[0].violations;
    const match = violations.find((v) => v.path === expected.path);
    expect(match?.message).toContain(expected.message);
  });
});

// A pluginDefaults prefix (e.g. `io.kestra.plugin.jdbc.postgresql`) is not a plugin of its own.
const isPrefixOfAnother = (t: string, all: readonly string[]) => all.some((o) => o.startsWith(`${t}.`));

describe('Kestra documentation flows with unregistered types', () => {
  it.each(unsupported.map((m) => [m.file, m.types.filter((t) => !registered(t) && !isPrefixOfAnother(t, m.types))] as const))(
    'rejects %s naming its unregistered types and their paths',
    (file, missing) => {
      const violations = validate(file)[0].violations;
      for (const type of missing) {
        const v = violations.find((x) => x.message.includes(`\`${type}\``));
        expect(v, type).toBeDefined();
        expect(v?.path).toMatch(/\.type$/);
        expect(v?.message).toMatch(/^unknown (task|trigger|condition|task runner) type/);
      }
    },
  );
});

describe('deprecations', () => {
  it('lists deprecated properties of documentation flows, as Kestra does in deprecationPaths', () => {
    const [result] = validate('0165-company.team.pause.yaml');
    expect(result.deprecationPaths).toEqual(['tasks[0].tasks', 'tasks[1].delay', 'tasks[1].tasks']);
  });
});
