import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSecretStoreContract } from '../../../test/contracts/secret-store.contract';
import { EnvSecretStore } from './env-secret-store';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

// Tenant secrets through SECRET_ env vars (base64), namespace secrets through the secrets file.
describeSecretStoreContract('EnvSecretStore', async (seed) => {
  const file = join(mkdtempSync(join(tmpdir(), 'wh-secrets-')), 'secrets.json');
  writeFileSync(file, JSON.stringify({ namespaces: seed.namespaces ?? {} }));
  const env = Object.fromEntries(Object.entries(seed.tenant ?? {}).map(([k, v]) => [`SECRET_${k}`, b64(v)]));
  return new EnvSecretStore({ env: { ...env, PATH: '/usr/bin', SECRET_: 'ignored' }, secretsFile: file });
});

describe('EnvSecretStore', () => {
  it('decodes SECRET_ variables and ignores the others', async () => {
    const s = new EnvSecretStore({ env: { SECRET_MYPASSWORD: 'bXlQcml2YXRlQ29kZQ==', MYPASSWORD: 'plain', HOME: '/root' } });
    expect(await s.get('main', undefined, 'MYPASSWORD')).toBe('myPrivateCode');
    expect(await s.list('main', undefined)).toEqual(['MYPASSWORD']);
  });

  it('fails reading a secret that is not base64, naming the key but not the value', async () => {
    const s = new EnvSecretStore({ env: { SECRET_BAD: 'not base64 at all!' } });
    await expect(s.get('main', undefined, 'BAD')).rejects.toThrow(/Secret 'BAD' .*SECRET_BAD.* not valid base64/);
    await expect(s.get('main', undefined, 'BAD')).rejects.not.toThrow(/not base64 at all/);
  });

  it('refuses a malformed secrets file without quoting its content', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wh-secrets-')), 'secrets.json');
    writeFileSync(file, '{"tenant": {"K": "hunter2"');
    expect(() => new EnvSecretStore({ secretsFile: file })).toThrow(/cannot be read as JSON/);
    try {
      new EnvSecretStore({ secretsFile: file });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });
});
