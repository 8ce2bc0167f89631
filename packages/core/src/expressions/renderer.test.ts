import { describe, expect, it } from 'vitest';
import { compile, isTemplate, preloadJq, render, renderSync, renderTyped, renderTypedSync } from './index';
import { templateCacheSize } from './renderer';
import { CONTEXT, testFunctions } from './test-support/context';

const functions = testFunctions();

describe('typed rendering (§7.1)', () => {
  it('keeps the native list of a single expression so it can feed a ForEach', async () => {
    expect(await renderTyped('{{ inputs.data.value }}', CONTEXT)).toEqual([1, 2, 3]);
  });

  it('keeps maps, numbers, booleans and null', async () => {
    expect(await renderTyped('{{ inputs.payload.address }}', CONTEXT)).toEqual({ city: 'Paris', country: 'France' });
    expect(await renderTyped('{{ inputs.count * 2 }}', CONTEXT)).toBe(10);
    expect(await renderTyped('{{ 2.5 * 2 }}', CONTEXT)).toBe(5);
    expect(await renderTyped('{{ 1 < 2 }}', CONTEXT)).toBe(true);
    expect(await renderTyped('{{ inputs.optional_input }}', CONTEXT)).toBeNull();
  });

  it('returns JSON-safe values: big integers beyond 2^53 as exact digit strings', async () => {
    expect(await renderTyped('{{ execution.startDate | timestampNano }}', CONTEXT)).toBe('1705314600123456000');
    expect(await renderTyped('{{ execution.startDate | timestamp }}', CONTEXT)).toBe(1705314600);
  });

  it('renders a template with surrounding text as a string', async () => {
    expect(await renderTyped('values: {{ inputs.data.value }}', CONTEXT)).toBe('values: [1,2,3]');
    expect(await renderTyped(' {{ inputs.count }}', CONTEXT)).toBe(' 5');
  });

  it('renders maps and lists deeply, keys included, and leaves other scalars alone', async () => {
    const value = { '{{ flow.id }}': ['{{ inputs.count }}', 'plain', 7, null, true], nested: { list: '{{ items }}' } };
    expect(await renderTyped(value, CONTEXT)).toEqual({ hello: [5, 'plain', 7, null, true], nested: { list: ['x', 'y', 'z'] } });
    expect(renderTypedSync(value, CONTEXT)).toEqual({ hello: [5, 'plain', 7, null, true], nested: { list: ['x', 'y', 'z'] } });
  });

  it('returns a string from a string expression, and a parsed value from fromJson', async () => {
    expect(await renderTyped('{{ flow.id }}', CONTEXT)).toBe('hello');
    expect(await renderTyped('{{ fromJson(outputs.generate.value) }}', CONTEXT)).toEqual([
      { name: 'alpha', value: 1 },
      { name: 'bravo', value: 2 },
    ]);
  });

  it('does not re-render values that contain expressions (single pass since 0.14)', async () => {
    expect(await render('{{ vars.nested }}', CONTEXT)).toBe('{{ vars.my_variable }}');
    expect(await renderTyped('{{ vars.nested }}', CONTEXT)).toBe('{{ vars.my_variable }}');
  });

  it('re-renders until stable with the legacy recursive option', async () => {
    expect(await render('{{ vars.deep }}', CONTEXT, { recursive: true })).toBe('my_value');
  });
});

describe('rendering modes', () => {
  it('returns strings without Pebble syntax unchanged, without parsing', async () => {
    expect(await render('no {braces} here', CONTEXT)).toBe('no {braces} here');
    expect(isTemplate('plain')).toBe(false);
    expect(isTemplate('{{ x }}')).toBe(true);
    expect(isTemplate('{% if %}')).toBe(true);
  });

  it('renders synchronously when no I/O function is used', () => {
    expect(renderSync('Hello {{ inputs.name | upper }} {{ outputs.t.values.x }}', CONTEXT)).toBe('Hello WORLD 42');
    expect(renderSync('{{ uuid() }}-{{ now() }}', CONTEXT, { functions })).toBe('3Fk7hX1eJqN8gTzW0aBcDe-2024-06-19T12:29:52.343000Z');
  });

  it('uses jq synchronously once it is loaded', async () => {
    await preloadJq();
    expect(renderSync("{{ [4, 5] | jq('.[1]') | first }}", CONTEXT)).toBe('5');
  });

  it('keeps values from the clock and id ports stable across awaits (replay)', async () => {
    let ids = 0;
    let clock = 0;
    const ports = testFunctions({
      uuid: () => `id-${++ids}`,
      now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, ++clock)),
    });
    const out = await render("{{ uuid() }} {{ secret('API_KEY') }} {{ uuid() }} {{ kv('MY_KEY') }} {{ now() }}", CONTEXT, { functions: ports });
    expect(out).toBe('id-1 s3cr3t-value id-2 my-kv-value 2024-01-01T00:00:01.000000Z');
    expect(ids).toBe(2);
    expect(clock).toBe(1);
  });

  it('calls each I/O port once per call site even with many awaits', async () => {
    const calls: string[] = [];
    const ports = testFunctions({
      secret: async (key) => {
        calls.push(key);
        return `v-${key}`;
      },
    });
    const out = await render('{% for k in ["A", "B", "C"] %}{{ secret(k) }};{% endfor %}', CONTEXT, { functions: ports });
    expect(out).toBe('v-A;v-B;v-C;');
    expect(calls).toEqual(['A', 'B', 'C']);
  });

  it('keeps the template cache bounded, evicting the least recently used', () => {
    const hot = '{{ flow.id }} hot';
    compile(hot);
    for (let i = 0; i < 12_000; i++) {
      compile(`{{ ${i} }}`);
      if (i % 500 === 0) compile(hot);
    }
    expect(templateCacheSize()).toBeLessThanOrEqual(5000);
    expect(renderSync(hot, CONTEXT)).toBe('hello hot');
  });

  it('compiles a template once and reuses it', () => {
    const a = compile('{{ flow.id }} cached');
    const b = compile('{{ flow.id }} cached');
    expect(a).toEqual(b);
    expect(a.singleExpression).toBe(false);
    expect(compile('{{ flow.id }}').singleExpression).toBe(true);
    expect(compile('plain').constant).toBe(true);
  });
});

describe('limits', () => {
  it('bounds the output size', async () => {
    await expect(render('{% for i in range(1, 1000) %}xxxxxxxxxx{% endfor %}', CONTEXT, { maxOutputLength: 500 })).rejects.toThrow(
      'Rendered output exceeds the limit of 500 characters',
    );
  });

  it('bounds loop iterations and range sizes', async () => {
    await expect(render('{% for i in range(1, 100) %}{% for j in range(1, 100) %}{% endfor %}{% endfor %}', CONTEXT, { maxIterations: 1000 })).rejects.toThrow(
      'Loop iteration limit of 1000 exceeded',
    );
    await expect(render('{{ range(1, 100000000) | length }}', CONTEXT)).rejects.toThrow('over the limit');
  });

  it('bounds recursion through render() and macros', async () => {
    const selfRendering = { vars: { loop: '{{ render(vars.loop) }}' } };
    await expect(render('{{ render(vars.loop) }}', selfRendering)).rejects.toThrow('Maximum nesting depth of 100 exceeded');
    await expect(render('{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}', CONTEXT, { maxDepth: 20 })).rejects.toThrow(
      'Maximum nesting depth of 20 exceeded',
    );
  });

  it('times out a catastrophic regular expression instead of hanging', async () => {
    const started = Date.now();
    await expect(
      render('{{ inputs.evil | regexMatch("^(a+)+$") }}', { inputs: { evil: `${'a'.repeat(40)}!` } }, { regexTimeoutMs: 200 }),
    ).rejects.toThrow("Regular expression '^(a+)+$' timed out after 200 ms");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out a jq program that never ends, and jq still works afterwards', async () => {
    await expect(render("{{ 1 | jq('def f: f; f') }}", CONTEXT, { jqTimeoutMs: 300 })).rejects.toThrow("JQ expression 'def f: f; f' timed out after 300 ms");
    expect(await render("{{ [1, 2] | jq('.[1]') | first }}", CONTEXT)).toBe('2');
  });

  it('rejects deeply nested expressions at parse time', async () => {
    await expect(render(`{{ ${'('.repeat(500)}1${')'.repeat(500)} }}`, CONTEXT)).rejects.toThrow('nesting is too deep');
  });
});
