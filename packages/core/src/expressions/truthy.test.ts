import { describe, expect, it } from 'vitest';
import { truthy } from './index';

describe('truthy (§7.6)', () => {
  it.each(['false', '0', '-0', 'null', '', '  ', ' false '])('treats the rendered string %j as false', (s) => {
    expect(truthy(s)).toBe(false);
  });

  it.each(['true', '1', 'yes', 'False', '[]', '{}', 'no'])('treats the rendered string %j as true', (s) => {
    expect(truthy(s)).toBe(true);
  });

  it('judges native values', () => {
    expect(truthy(false)).toBe(false);
    expect(truthy(null)).toBe(false);
    expect(truthy(undefined)).toBe(false);
    expect(truthy(0)).toBe(false);
    expect(truthy(Number.NaN)).toBe(false);
    expect(truthy(true)).toBe(true);
    expect(truthy(2)).toBe(true);
    expect(truthy([])).toBe(true);
    expect(truthy({})).toBe(true);
  });
});
