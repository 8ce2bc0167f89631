import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from './index';

/** Kestra's documentation dump (shared/seeds/002_*.txt). */
const SEEDS = join(import.meta.dirname, '../../../../../shared/seeds');

/**
 * Snippets of the docs that are not Pebble: placeholders (`...`, `<< x >>`, `{task_id}`), Ansible/Jinja
 * and Go templates, JSON-escaped quotes, a typo in the docs, and a nested render() that the one-line
 * extraction below cuts in two. Kestra cannot render them either.
 */
const NOT_PEBBLE = new Set([
  `{{ now() | date(\\"yyyy-MM-dd'T'09:00:00+01:00\\") }}`,
  `{{ now() | date(\\"yyyy-MM-dd'T'18:00:00+01:00\\") }}`,
  "{{ kv('YOUR_KEY'') }}",
  '{{ }}',
  '{{ << domain | slugify >>-download.uri }}',
  '{{ outputs.<< domain | slugify >>-download.uri }}',
  '{{ ... }}',
  '{{ value | filterName(...) }}',
  '{{ functionName(...) }}',
  `{{ render("{{ trigger.date ?? execution.startDate | date('yyyy-MM-dd') }}`,
  "{{ (python3_check.stdout.split()[1]) if (python3_check.rc == 0 and (python3_check.stdout | length > 0)) else 'unknown' }}",
  "{{ ansible_facts['processor'][1] | default('') if ansible_facts.get('processor') else '' }}",
  '{{ outputs.http_download_" + str(idx) + ".uri }}',
  "{{ outputs.search_kestra_repos.uri | internalStorage.get() | jq('.[].clone_url') }}",
  "{{ outputs.{task_id}.outputFiles[''] }}",
  "{{ outputs.{task_id}.outputFiles['{filename}'] }}",
  '{{ outputs.trigger_${connection.name}.jobId }}',
  '{{.SSHConfig.IdentityPath}}',
  '{{ trigger.* }}',
  '{{ execution.startDate \\| date("yyyy-MM-dd HH:mm:ss.SSSSSS") }}',
]);

function docSnippets(): string[] {
  const file = existsSync(SEEDS) ? readdirSync(SEEDS).find((f) => f.startsWith('002_')) : undefined;
  if (!file) return [];
  const text = readFileSync(join(SEEDS, file), 'utf8');
  const seen = new Set<string>();
  for (const m of text.matchAll(/\{\{[^\n]*?\}\}/g)) {
    // `${{ ... }}` is GitHub Actions syntax, not Pebble.
    if (!m[0].startsWith('{{ $') && text[(m.index ?? 0) - 1] !== '$') seen.add(m[0]);
  }
  return [...seen];
}

describe('every one-line expression of the Kestra docs', () => {
  const snippets = docSnippets();

  it('is found in the docs dump', () => {
    expect(snippets.length).toBeGreaterThan(900);
  });

  it('compiles, except the known non-Pebble snippets, which fail with ExpressionError', () => {
    const failures: string[] = [];
    for (const s of snippets) {
      let ok = true;
      try {
        compile(s);
      } catch (e) {
        expect((e as { code?: string }).code).toBe('EXPRESSION_ERROR');
        ok = false;
      }
      if (ok === NOT_PEBBLE.has(s)) failures.push(`${ok ? 'compiled but listed as not Pebble' : 'failed'}: ${s}`);
    }
    expect(failures).toEqual([]);
  });
});
