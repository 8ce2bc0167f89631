import { describe, expect, it } from 'vitest';
import { ExpressionError, render, renderSync } from './index';
import { CONTEXT, testFunctions } from './test-support/context';

async function failure(template: string, context: Readonly<Record<string, unknown>> = CONTEXT): Promise<ExpressionError> {
  try {
    await render(template, context, { functions: testFunctions() });
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error(`expected ${template} to fail`);
}

describe('errors name the expression, the position and what failed', () => {
  it("uses Kestra's wording for an undefined variable", async () => {
    const e = await failure('{{ inputs.nme }}');
    expect(e.message).toBe('Unable to find `nme` used in the expression `{{ inputs.nme }}` at line 1');
    expect(e.code).toBe('EXPRESSION_ERROR');
    expect(e.expression).toBe('{{ inputs.nme }}');
    expect(e.position).toEqual({ line: 1, column: 10 });
  });

  it('names an undefined root variable', async () => {
    expect((await failure('{{ nme }}')).message).toBe('Unable to find `nme` used in the expression `{{ nme }}` at line 1');
  });

  it('reports the line of the failing expression in a multi-line template', async () => {
    const e = await failure('line one\nline two {{ flow.id }}\n{{ outputs.missing.value }}');
    expect(e.message).toBe('Unable to find `missing` used in the expression `{{ outputs.missing.value }}` at line 3');
    expect(e.position?.line).toBe(3);
  });

  it('fails on an attribute of a list, as strict variables do', async () => {
    expect((await failure('{{ users.length }}')).message).toContain('Unable to find `length`');
  });

  it('fails on an index out of range', async () => {
    expect((await failure('{{ items[5] }}')).message).toContain('Unable to find `5`');
  });

  it('fails on an undefined variable inside a tag', async () => {
    expect((await failure('{% if nope == 1 %}x{% endif %}')).message).toContain('Unable to find `nope`');
  });

  it('fails on `?? raise` when every side is undefined', async () => {
    expect((await failure('{{ foo ?? bar ?? raise }}')).message).toContain('Unable to find `raise`');
  });

  it.each([
    ['{{ inputs.name ', 'Unclosed "{{"'],
    ['{% if true %}never closed', 'Unclosed tag'],
    ['{% for x in items %}', 'Unclosed tag'],
    ['{% endif %}', 'Unexpected "endif" tag'],
    ['{{ }}', 'Empty expression'],
    ['{{ 1 + }}', 'Unexpected'],
    ['{{ "unterminated }}', 'Unclosed string literal'],
    ['{{ [1, 2 }}', 'Unclosed "{{"'],
    ['{{ [1, 2 3] }}', 'Expected "," but found "3"'],
    ['{{ a b }}', 'Unexpected token "b"'],
    ['{% unknowntag %}', 'Unknown tag "unknowntag"'],
    ['{{ items.get(a=1) }}', 'takes positional arguments only'],
    ['{{ # }}', 'Unexpected character "#"'],
    ['{# never closed', 'Unclosed comment'],
    ['{% raw %}never closed', 'Unclosed "raw" tag'],
    ['{{ f(a=1, 2) }}', 'Positional arguments must come before named arguments'],
    ['{% set = 1 %}', 'Expected a name'],
  ])('rejects the syntax error in %s', async (template, fragment) => {
    const e = await failure(template);
    expect(e.message).toContain(fragment);
    expect(e.expression).toBe(template);
    expect(e.position?.line).toBe(1);
  });

  it.each([
    ['{{ inputs.name | nofilter }}', 'Filter [nofilter] does not exist.'],
    ['{{ nofunction() }}', 'Function or Macro [nofunction] does not exist.'],
    ['{{ 1 is notatest }}', 'Test [notatest] does not exist.'],
    ['{{ 1 / 0 }}', '/ by zero'],
    ['{{ 5 % 0 }}', '/ by zero'],
    ['{{ "a" * 2 }}', 'invalid operands for mathematical operation [*]'],
    ['{{ [1] < 2 }}', 'invalid operands for mathematical comparison'],
    ['{{ "x" | abs }}', 'abs expects a number'],
    ['{{ fromJson("{bad") }}', 'Invalid JSON'],
    ["{{ yaml('a: [') }}", 'Invalid YAML'],
    ["{{ fromIon('{a:') }}", 'Invalid Ion'],
    ['{{ "x" | date("yyyy") }}', "Text 'x' could not be parsed"],
    ['{{ "2024-13-01" | date("yyyy") }}', 'invalid date or time value'],
    ['{{ "2024-01-01" | date("yyyy", timeZone="Mars/Olympus") }}', 'Unknown time-zone ID: Mars/Olympus'],
    ['{{ "2024-01-01" | date("yyyy bbb") }}', 'Unknown pattern letter: b'],
    ["{{ '2024-01-01T00:00:00Z' | dateAdd(1, 'FORTNIGHTS') }}", 'ChronoUnit.FORTNIGHTS'],
    ['{{ "01/02" | date("yyyy", existingFormat="yyyy-MM-dd") }}', "could not be parsed with the format 'yyyy-MM-dd'"],
    ["{{ [1] | jq('.[') }}", 'Failed to resolve JQ expression'],
    ["{{ {'a': 1} | jq('.a | keys') }}", 'has no keys'],
    ["{{ 'not json' | jq('.') }}", "Unable to parse jq value 'not json'"],
    ['{{ "x" | regexMatch("(") }}', 'Invalid regular expression'],
    ['{{ "x" | escapeChar("weird") }}', "escapeChar type must be 'single', 'double' or 'shell'"],
    ['{{ "abc" | number }}', '"abc" is not a valid number'],
    ['{{ "1.5" | number("INT") }}', 'is not a valid number of type INT'],
    ['{{ [1] | slice(0, 5) }}', 'out of bounds'],
    ['{{ "x" | chunk(2) }}', 'chunk expects a list'],
    ['{{ 5 | keys }}', 'keys expects a map'],
    ["{{ secret('MISSING') }}", "Cannot find secret for key 'MISSING'."],
    ["{{ kv('NOPE') }}", "The key 'NOPE' does not exist in the namespace 'company.team'."],
    ["{{ read('missing.txt') }}", "File 'missing.txt' not found"],
    ['{{ randomInt(5, 5) }}', 'upper (5) must be greater than lower (5)'],
    ['{{ range(1, 10, 0) }}', 'must not be 0'],
    ['{{ render(42) }}', "The 'render' function expects an argument 'template' with type string."],
    ["{{ render('x', recursive='yes') }}", "optional argument 'recursive' with type boolean"],
    ['{{ currentEachOutput(outputs.first) }}', 'No execution outputs for the current task runs path'],
    ["{{ currentEachOutput('x') }}", "expects an argument 'outputs' with type map"],
    ['{{ inputs.name | date("yyyy", bogus=1) }}', 'Unknown argument "bogus"'],
    ['{{ "a" | upper(1) }}', 'Too many arguments'],
    ['{% for x in 5 %}{% endfor %}', 'Cannot iterate over 5'],
    ['{% if inputs.optional_input %}x{% endif %}', 'null value given to if statement and strict variables is set to true'],
    ['{% if items %}x{% endif %}', 'Unsupported value type List. Expected Boolean, String, Number in "if" statement'],
    ['{{ "x" | base64decode }}', 'not valid Base64'],
    ['{{ items.bogus() }}', 'Method [bogus] is not available'],
    ['{{ items.get(9) }}', 'Index 9 out of bounds for length 3'],
    ['{{ "abc".substring(2, 1) }}', 'begin 2, end 1, length 3'],
    ['{{ map.get() }}', 'Method get() takes 1 argument(s), got 0'],
    ['{{ 5.getClass() }}', 'Method [getClass] is not available'],
    ['{{ "%E0%A4%A" | urldecode }}', 'malformed percent-encoding'],
  ])('reports the failure of %s', async (template, fragment) => {
    const e = await failure(template);
    expect(e.message).toContain(fragment);
    // The message quotes the failing `{{ }}` or `{% %}` of the template.
    expect(template).toContain(e.expression);
    expect(e.message).toContain(`\`${e.expression}\``);
  });

  it('explains that an I/O function needs a port when none is given', async () => {
    await expect(render("{{ secret('API_KEY') }}", CONTEXT)).rejects.toThrow('The function secret() is not available in this context');
  });

  it('refuses I/O functions in a synchronous render', () => {
    expect(() => renderSync("{{ secret('API_KEY') }}", CONTEXT, { functions: testFunctions() })).toThrow(
      'secret() reads data and cannot be used in a synchronous render',
    );
  });

  it('serializes to a stable JSON shape for API responses', async () => {
    const e = await failure('{{ inputs.nme }}');
    expect(e.toJSON()).toEqual({
      code: 'EXPRESSION_ERROR',
      message: 'Unable to find `nme` used in the expression `{{ inputs.nme }}` at line 1',
      details: { expression: '{{ inputs.nme }}', line: 1, column: 10 },
    });
  });
});
