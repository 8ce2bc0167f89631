import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowWithSource } from '@windhover/core';
import { SqliteExecutionRepository, SqliteFlowRepository, openSqliteDatabase } from '@windhover/local';
import { describe, expect, it } from 'vitest';

function tickProcess(file: string, start: string, minutes: number, processes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'tick-process.ts'), file, start, String(minutes), String(processes)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`tick process failed (${code}): ${err}`))));
  });
}

describe('exactly once across scheduler processes', () => {
  it('claims each slot in exactly one of three processes ticking the same SQLite file at once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wh-ticks-')), 'windhover.db');
    const db = openSqliteDatabase(file);
    const flows = new SqliteFlowRepository(db);
    for (const [id, cron, withSeconds] of [
      ['every_minute', '* * * * *', false],
      ['every_20s', '*/20 * * * * *', true],
    ] as const) {
      const flow = {
        id,
        namespace: 'company.team',
        revision: 1,
        tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'x' }],
        triggers: [{ id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', cron, withSeconds, allowConcurrent: true }],
      };
      const fw: FlowWithSource = { flow, source: JSON.stringify(flow), revision: 1, tenantId: 'main', updated: '2026-01-01T00:00:00Z' };
      await flows.save(fw, undefined);
    }
    db.close();

    const minutes = 30;
    const attempts = await Promise.all([0, 1, 2].map(() => tickProcess(file, '2026-01-01T10:00:00Z', minutes, 3)));
    // 30 minute slots + 90 twenty-second slots, each claimed by one process only.
    expect(attempts.reduce((a, b) => a + b, 0)).toBe(minutes + minutes * 3);

    const check = openSqliteDatabase(file);
    const repo = new SqliteExecutionRepository(check);
    const all = await repo.find('main', { size: 1000 });
    expect(all.total).toBe(120);
    const slots = all.results.map((e) => `${e.flowId}@${e.scheduleDate}`);
    expect(new Set(slots).size).toBe(120);
    check.close();
  }, 120_000);
});
