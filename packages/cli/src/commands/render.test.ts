import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { renderCommand } from './render';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'windhover-render-'));
const ctxFile = join(dir, 'ctx.json');
writeFileSync(ctxFile, JSON.stringify({ inputs: { name: 'world', list: [1, 2, 3], payload: { a: 1 } }, outputs: { t: { values: { x: 42 } } } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('windhover render', () => {
  it('prints a rendered string as is and exits 0', async () => {
    const c = capture();
    expect(await main(['render', 'Hello {{ inputs.name | upper }} {{ outputs.t.values.x }}', '--context', ctxFile], c.io)).toBe(0);
    expect(c.out).toEqual(['Hello WORLD 42']);
    expect(c.err).toEqual([]);
  });

  it('prints lists, maps, numbers and booleans of a single expression as compact JSON', async () => {
    for (const [template, expected] of [
      ['{{ inputs.list }}', '[1,2,3]'],
      ['{{ inputs.payload }}', '{"a":1}'],
      ['{{ 2.5 * 2 }}', '5.0'],
      ['{{ inputs.list | length > 2 }}', 'true'],
      ['{{ inputs.name }}', 'world'],
    ]) {
      const c = capture();
      expect(await main(['render', template as string, `--context=${ctxFile}`], c.io)).toBe(0);
      expect(c.out).toEqual([expected]);
    }
  });

  it('works without a context', async () => {
    const c = capture();
    expect(await main(['render', '{{ [1, 2] | join("-") }}'], c.io)).toBe(0);
    expect(c.out).toEqual(['1-2']);
  });

  it("prints Kestra's error for an undefined variable and exits 1", async () => {
    const c = capture();
    expect(await main(['render', '{{ inputs.nme }}', '--context', ctxFile], c.io)).toBe(1);
    expect(c.out).toEqual([]);
    expect(c.err).toEqual(['Unable to find `nme` used in the expression `{{ inputs.nme }}` at line 1']);
  });

  it('exits 1 on a syntax error, a missing template or an unreadable context', async () => {
    let c = capture();
    expect(await main(['render', '{{ 1 + }}'], c.io)).toBe(1);
    expect(c.err[0]).toContain('Unexpected end of expression');
    c = capture();
    expect(await main(['render'], c.io)).toBe(1);
    expect(c.err[0]).toContain('missing template');
    c = capture();
    expect(await main(['render', '{{ 1 }}', '--context', join(dir, 'nope.json')], c.io)).toBe(1);
    expect(c.err[0]).toContain("cannot read context");
  });

  it('reads secrets from SECRET_<KEY> (base64) and masks them in errors', async () => {
    const command = renderCommand({ SECRET_API_KEY: Buffer.from('top-secret').toString('base64') });
    let c = capture();
    expect(await command.run(["{{ secret('API_KEY') }}"], c.io)).toBe(0);
    expect(c.out).toEqual(['top-secret']);
    c = capture();
    expect(await command.run(["{{ secret('API_KEY') ~ nope }}"], c.io)).toBe(1);
    expect(c.err[0]).toContain('Unable to find `nope`');
    c = capture();
    expect(await command.run(["{{ secret('OTHER') }}"], c.io)).toBe(1);
    expect(c.err[0]).toContain("Cannot find secret for key 'OTHER'");
  });

  it('uses the machine clock and id generator for now() and uuid()', async () => {
    const c = capture();
    expect(await main(['render', '{{ now() | date("yyyy") }} {{ uuid() | length > 0 }}'], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^\d{4} true$/);
  });
});
