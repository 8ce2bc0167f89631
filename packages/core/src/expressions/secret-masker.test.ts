import { describe, expect, it } from 'vitest';
import { render, SecretMasker } from './index';
import { CONTEXT, testFunctions } from './test-support/context';

describe('SecretMasker', () => {
  it('collects every secret revealed by secret() during a render', async () => {
    const masker = new SecretMasker();
    const seen: string[] = [];
    const out = await render("token={{ secret('API_KEY') }} gh={{ secret('GITHUB_ACCESS_TOKEN') }}", CONTEXT, {
      functions: testFunctions(),
      secretMasker: masker,
      onSecret: (v) => seen.push(v),
    });
    expect(out).toBe('token=s3cr3t-value gh=ghp_abc123');
    expect(masker.values()).toEqual(['s3cr3t-value', 'ghp_abc123']);
    expect(seen).toEqual(['s3cr3t-value', 'ghp_abc123']);
    expect(masker.mask(out)).toBe('token=****** gh=******');
  });

  it('masks secrets inside log-like structures and leaves other values alone', () => {
    const masker = new SecretMasker();
    masker.add('hunter2');
    expect(masker.maskDeep({ message: 'pw is hunter2', list: ['hunter2', 3], n: 1, ok: true })).toEqual({
      message: 'pw is ******',
      list: ['******', 3],
      n: 1,
      ok: true,
    });
  });

  it('masks the longest secret first and ignores empty values', () => {
    const masker = new SecretMasker();
    masker.add('abc');
    masker.add('abcdef');
    masker.add('');
    expect(masker.size).toBe(2);
    expect(masker.mask('x abcdef y abc')).toBe('x ****** y ******');
  });

  it('masks each line of a multi-line secret', () => {
    const masker = new SecretMasker();
    masker.add('-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----');
    expect(masker.mask('leaked: MIIEvQIBADANBg')).toBe('leaked: ******');
  });

  it('registers nothing when the render does not call secret()', async () => {
    const masker = new SecretMasker();
    await render('{{ flow.id }}', CONTEXT, { secretMasker: masker });
    expect(masker.size).toBe(0);
  });
});
