import http from 'node:http';

/**
 * A truly open-loop HTTP load generator (specs/peer-bench.md §5): requests
 * are sent at evenly spaced times whatever the responses do (no coordinated
 * omission); latency is measured from the scheduled send time to the last
 * byte. Loopback only, bounded in count and duration.
 */
export interface OpenLoopOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly timeoutMs?: number;
  readonly expect?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OpenLoopResult {
  readonly offered_rps: number;
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly errs: Readonly<Record<string, number>>;
  readonly achieved_per_min: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
}

const pct = (a: readonly number[], p: number): number | null => {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  return +s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(1);
};

export function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const u = new URL(o.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error('loopback only');
  const timeoutMs = o.timeoutMs ?? 30_000;
  const total = Math.min(Math.round(o.rate * o.durationS), 100_000);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 });
  const lat: number[] = [];
  const errs: Record<string, number> = {};
  let sent = 0;
  let done = 0;
  let ok = 0;
  let bad = 0;
  let lastDone = 0;
  const t0 = performance.now() + 50;
  return new Promise((resolve) => {
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      clearTimeout(hardStop);
      clearInterval(tick);
      const windowS = (lastDone - t0) / 1000;
      agent.destroy();
      resolve({
        offered_rps: o.rate,
        sent,
        ok,
        errors: bad,
        errs,
        achieved_per_min: +((ok / windowS) * 60).toFixed(0),
        p50_ms: pct(lat, 50),
        p95_ms: pct(lat, 95),
        p99_ms: pct(lat, 99),
        max_ms: pct(lat, 100),
      });
    };
    const finish = (now: number) => {
      done++;
      lastDone = now;
      if (done === total) report();
    };
    const fire = (i: number) => {
      const sched = t0 + (i * 1000) / o.rate;
      const req = http.get(u, { agent, timeout: timeoutMs, headers: o.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          const now = performance.now();
          if (res.statusCode === 200 && (!o.expect || body.includes(o.expect))) {
            ok++;
            lat.push(now - sched);
          } else {
            bad++;
            const k = `status_${res.statusCode}`;
            errs[k] = (errs[k] ?? 0) + 1;
          }
          finish(now);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        bad++;
        errs[e.message] = (errs[e.message] ?? 0) + 1;
        finish(performance.now());
      });
    };
    const tick = setInterval(() => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / o.rate <= now) fire(sent++);
      if (sent >= total) clearInterval(tick);
    }, 1);
    const hardStop = setTimeout(() => {
      bad += total - done;
      report();
    }, o.durationS * 1000 + timeoutMs + 5000);
  });
}
