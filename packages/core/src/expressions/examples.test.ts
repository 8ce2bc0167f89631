import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compile, isTemplate } from './index';

/** The docs example flows shipped with the specs (shared/examples/docs-flows). */
const EXAMPLES_DIR = join(import.meta.dirname, '../../../../../shared/examples/docs-flows');

function collectTemplates(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTemplates(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      collectTemplates(k, out);
      collectTemplates(v, out);
    }
  }
}

function exampleTemplates(): { file: string; template: string }[] {
  const out: { file: string; template: string }[] = [];
  for (const file of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    const templates: string[] = [];
    for (const doc of YAML.parseAllDocuments(readFileSync(join(EXAMPLES_DIR, file), 'utf8'))) {
      if (doc.errors.length === 0) collectTemplates(doc.toJS(), templates);
    }
    for (const template of templates) out.push({ file, template });
  }
  return out;
}

describe('expressions of the documentation example flows', () => {
  const templates = exampleTemplates();

  it('finds the example flows and their expressions', () => {
    expect(templates.length).toBeGreaterThan(100);
  });

  it.each(templates)('$file: compiles $template', ({ template }) => {
    expect(() => compile(template)).not.toThrow();
  });
});
