import type { FlowRepository, FlowWithSource } from '@windhover/core';
import { describe, expect, it } from 'vitest';

/** A stored flow as FlowService would build it. */
export function contractFlow(
  namespace: string,
  id: string,
  revision: number,
  options: { tenantId?: string; deleted?: boolean; source?: string } = {},
): FlowWithSource {
  const source = options.source ?? `# revision ${revision}\nid: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: r${revision}\n`;
  return {
    flow: {
      id,
      namespace,
      revision,
      tasks: [{ id: 'hello', type: 'io.kestra.plugin.core.log.Log', message: `r${revision}` }],
      ...(options.deleted ? { deleted: true } : {}),
    },
    source,
    revision,
    tenantId: options.tenantId ?? 'main',
    updated: new Date(Date.UTC(2026, 0, 1, 0, 0, revision)).toISOString(),
    ...(options.deleted ? { deleted: true } : {}),
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? 'NO_CODE';
  }
};

/**
 * The FlowRepository contract. Every adapter runs it from a one-line test:
 * `describeFlowRepositoryContract(async () => new SqliteFlowRepository(db))`.
 * `makeRepo` must return an empty repository each time it is called (or use unique namespaces).
 */
export function describeFlowRepositoryContract(name: string, makeRepo: () => Promise<FlowRepository>): void {
  describe(`FlowRepository contract: ${name}`, () => {
    it('returns undefined for a flow that was never saved', async () => {
      const repo = await makeRepo();
      expect(await repo.get('main', 'company.none', 'missing')).toBeUndefined();
      expect(await repo.revisions('main', 'company.none', 'missing')).toEqual([]);
    });

    it('stores a new flow and returns it with its source verbatim', async () => {
      const repo = await makeRepo();
      const f = contractFlow('company.team', 'hello', 1);
      await repo.save(f, undefined);
      const got = await repo.get('main', 'company.team', 'hello');
      expect(got?.revision).toBe(1);
      expect(got?.source).toBe(f.source);
      expect(got?.flow.tasks[0]?.message).toBe('r1');
      expect(got?.tenantId).toBe('main');
      expect(got?.updated).toBe(f.updated);
    });

    it('returns the latest revision by default and older revisions on request', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.team', 'rev', 1), undefined);
      await repo.save(contractFlow('company.team', 'rev', 2), 1);
      await repo.save(contractFlow('company.team', 'rev', 3), 2);
      expect((await repo.get('main', 'company.team', 'rev'))?.revision).toBe(3);
      expect((await repo.get('main', 'company.team', 'rev', 2))?.flow.tasks[0]?.message).toBe('r2');
      expect((await repo.get('main', 'company.team', 'rev', 9))).toBeUndefined();
      const revisions = await repo.revisions('main', 'company.team', 'rev');
      expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3]);
      expect(revisions[0]?.source).toContain('# revision 1');
    });

    it('rejects creating a flow that already exists with VERSION_CONFLICT', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.team', 'dup', 1), undefined);
      expect(await codeOf(repo.save(contractFlow('company.team', 'dup', 1), undefined))).toBe('VERSION_CONFLICT');
      expect((await repo.revisions('main', 'company.team', 'dup')).length).toBe(1);
    });

    it('rejects a save based on a stale revision and keeps the stored one', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.team', 'stale', 1), undefined);
      await repo.save(contractFlow('company.team', 'stale', 2), 1);
      expect(await codeOf(repo.save(contractFlow('company.team', 'stale', 2, { source: 'other' }), 1))).toBe('VERSION_CONFLICT');
      expect((await repo.get('main', 'company.team', 'stale'))?.source).toContain('# revision 2');
    });

    it('lets exactly one of two concurrent updates of the same revision win', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.team', 'race', 1), undefined);
      const results = await Promise.allSettled([
        repo.save(contractFlow('company.team', 'race', 2, { source: 'a' }), 1),
        repo.save(contractFlow('company.team', 'race', 2, { source: 'b' }), 1),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      expect((await repo.revisions('main', 'company.team', 'race')).length).toBe(2);
    });

    it('hides a flow whose latest revision is a tombstone but keeps its revisions', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.team', 'gone', 1), undefined);
      await repo.save(contractFlow('company.team', 'gone', 2, { deleted: true }), 1);
      expect(await repo.get('main', 'company.team', 'gone')).toBeUndefined();
      expect((await repo.get('main', 'company.team', 'gone', 2))?.deleted).toBe(true);
      expect((await repo.get('main', 'company.team', 'gone', 1))?.deleted).toBeFalsy();
      expect((await repo.list('main', { namespace: 'company.team' })).map((f) => f.flow.id)).not.toContain('gone');
      const withDeleted = await repo.list('main', { namespace: 'company.team', includeDeleted: true });
      expect(withDeleted.find((f) => f.flow.id === 'gone')?.deleted).toBe(true);
      // Re-creating a deleted flow continues its revision history.
      await repo.save(contractFlow('company.team', 'gone', 3), 2);
      expect((await repo.get('main', 'company.team', 'gone'))?.revision).toBe(3);
    });

    it('lists the latest revision of each flow by exact namespace or namespace prefix', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('acme.data', 'a', 1), undefined);
      await repo.save(contractFlow('acme.data', 'a', 2), 1);
      await repo.save(contractFlow('acme.data.sub', 'b', 1), undefined);
      await repo.save(contractFlow('acme.database', 'c', 1), undefined);
      await repo.save(contractFlow('acme', 'd', 1), undefined);
      const exact = await repo.list('main', { namespace: 'acme.data' });
      expect(exact.map((f) => [f.flow.id, f.revision])).toEqual([['a', 2]]);
      const prefix = await repo.list('main', { namespacePrefix: 'acme.data' });
      expect(prefix.map((f) => f.flow.id).sort()).toEqual(['a', 'b']);
      const all = await repo.list('main');
      expect(all.map((f) => f.flow.id).sort()).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd']));
    });

    it('keeps tenants apart', async () => {
      const repo = await makeRepo();
      await repo.save(contractFlow('company.iso', 'flow', 1, { tenantId: 'other' }), undefined);
      expect(await repo.get('main', 'company.iso', 'flow')).toBeUndefined();
      expect(await repo.list('main', { namespace: 'company.iso' })).toEqual([]);
      expect((await repo.get('other', 'company.iso', 'flow'))?.tenantId).toBe('other');
      // The same flow may exist independently in another tenant.
      await repo.save(contractFlow('company.iso', 'flow', 1), undefined);
      expect((await repo.list('other', { namespace: 'company.iso' })).length).toBe(1);
    });
  });
}
