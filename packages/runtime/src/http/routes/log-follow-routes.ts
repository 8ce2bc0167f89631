import type { LogEntry, LogLevel } from '@windhover/core';
import { BadRequestError, ExecutionNotFoundError, LOG_LEVELS, isTerminated } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { queryOne } from '../request';

/** A follower is let go after this long; EventSource reconnects. */
const FOLLOW_LIMIT_MS = 60 * 60_000;
const KEEPALIVE_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kestra's GET /logs/{executionId}/follow: the execution's stored logs, then
 * each new one as it is written, as server-sent events `progress` with a
 * LogEntry (`minLevel` filters). Like Kestra the stream stays open after the
 * execution ended (a closed stream would make EventSource reconnect and
 * replay every log); once the execution has ended nothing more is read and
 * only a keepalive comment is sent now and then.
 */
export function logFollowRoutes(deps: ApiDeps): Route[] {
  async function* follow(tenantId: string, executionId: string, minLevel: LogLevel | undefined): AsyncGenerator<string> {
    yield ':\n\n';
    // Log lines have no id: an entry is new when it appears more often than already sent.
    const sent = new Map<string, number>();
    const deadline = Date.now() + FOLLOW_LIMIT_MS;
    let delay = 10;
    let ended = false;
    while (!ended && Date.now() < deadline) {
      const execution = await deps.ports.executions.get(tenantId, executionId);
      // Logs written before the terminal state was saved are read once more after it.
      ended = !execution || execution.deleted === true || (isTerminated(execution.state.current) && execution.engine?.terminated !== false);
      const logs = await deps.ports.logs.find(tenantId, { executionId, ...(minLevel ? { minLevel } : {}) });
      const seen = new Map<string, number>();
      let fresh = false;
      for (const l of logs) {
        const key = JSON.stringify(l);
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n <= (sent.get(key) ?? 0)) continue;
        sent.set(key, n);
        fresh = true;
        yield `id: progress\nevent: progress\ndata: ${JSON.stringify(l satisfies LogEntry)}\n\n`;
      }
      if (ended) break;
      delay = fresh ? 10 : Math.min(delay * 2, 250);
      await sleep(delay);
    }
    for (let quiet = 0; Date.now() < deadline; quiet += 1000) {
      await sleep(1000);
      if (quiet > 0 && quiet % KEEPALIVE_MS === 0) yield ':\n\n';
    }
  }

  return [
    {
      method: 'GET',
      path: '/api/v1/:tenant/logs/:executionId/follow',
      handle: async ({ request, params }) => {
        const tenantId = params['tenant'];
        const e = await deps.ports.executions.get(tenantId, params['executionId']);
        if (!e || e.deleted) throw new ExecutionNotFoundError(params['executionId']);
        const raw = queryOne(request, 'minLevel');
        const level = raw ? raw.toUpperCase() : undefined;
        if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) throw new BadRequestError(`unknown log level '${raw}'`);
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
          stream: follow(tenantId, e.id, level as LogLevel | undefined),
        };
      },
    },
  ];
}
