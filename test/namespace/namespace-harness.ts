import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry } from '@windhover/core';
import {
  SqliteAttemptResultStore,
  ConsoleJsonLogger,
  EnvSecretStore,
  FsInternalStorage,
  FsNamespaceFileStore,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteKvStore,
  SqliteLogRepository,
  SqliteTimerStore,
  openSqliteDatabase,
} from '@windhover/local';
import type { ApiRequest, ApiResponse, EngineHandle, RuntimePorts } from '@windhover/runtime';
import { createRuntime } from '@windhover/runtime';
import { AUTH, basicHeader, minimalValidator } from '../api/api-harness';

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface NamespaceApi {
  readonly ports: RuntimePorts;
  readonly clock: ManualClock;
  readonly dir: string;
  call(
    method: string,
    path: string,
    options?: { body?: string | Uint8Array; contentType?: string; query?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
}

/**
 * The API with the local edition's KV, namespace file and secret adapters
 * (SQLite, folder, env) and a hand-moved clock; no engine.
 */
export function namespaceApi(options: { env?: Record<string, string>; secretsFile?: string } = {}): NamespaceApi {
  const dir = mkdtempSync(join(tmpdir(), 'wh-ns-api-'));
  const db = openSqliteDatabase(join(dir, 'windhover.db'));
  const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
  const unavailable = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('not available in this test');
      },
    },
  );
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    queue: new LocalExecutionQueue(db),
    attemptResults: new SqliteAttemptResultStore(db),
    timers: new SqliteTimerStore(db),
    clock,
    logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
    secrets: new EnvSecretStore({ env: options.env ?? {}, ...(options.secretsFile ? { secretsFile: options.secretsFile } : {}) }),
    kv: new SqliteKvStore(db),
    namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'namespace-files')),
    triggers: unavailable as RuntimePorts['triggers'],
  };
  const runtime = createRuntime(ports, {
    auth: { basic: AUTH },
    baseUrl: 'http://localhost:8080',
    validator: minimalValidator,
    registry: new PluginRegistry(),
    engine: () => ({
      executions: unavailable as EngineHandle['executions'],
      handleExecutorMessage: async () => {},
      handleWorkerMessage: async () => {},
    }),
  });
  return {
    ports,
    clock,
    dir,
    call: (method, path, o = {}) => {
      const body = o.body === undefined ? new Uint8Array() : typeof o.body === 'string' ? new TextEncoder().encode(o.body) : o.body;
      const headers: Record<string, string> = { authorization: basicHeader, ...(o.headers ?? {}) };
      if (o.contentType) headers['content-type'] = o.contentType;
      const req: ApiRequest = { method, path, query: o.query ?? {}, headers, body };
      return runtime.handler(req);
    },
  };
}

/** A multipart/form-data body with one `fileContent` part. */
export function multipartFile(content: Uint8Array | string, filename = 'file.bin'): { body: Uint8Array; contentType: string } {
  const boundary = '----windhover-test-boundary-7f3a';
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="fileContent"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: new Uint8Array(Buffer.concat([head, data, tail])), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A ZIP built by the `zip` CLI from `files` (names may contain `..`: written with -j into place by path). */
export function zipWithPython(files: Record<string, string>): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'wh-zip-'));
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(files));
  const out = join(dir, 'out.zip');
  execFileSync('python3', [
    '-c',
    'import json,sys,zipfile\nfiles=json.load(open(sys.argv[1]))\nwith zipfile.ZipFile(sys.argv[2],"w",zipfile.ZIP_DEFLATED) as z:\n  [z.writestr(n,c) for n,c in files.items()]',
    spec,
    out,
  ]);
  return new Uint8Array(readFileSync(out));
}

/** Names and contents of a ZIP, read by Python's zipfile (an independent reader). */
export function unzipWithPython(data: Uint8Array): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'wh-unzip-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'in.zip');
  writeFileSync(file, data);
  const out = execFileSync('python3', [
    '-c',
    'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode("utf-8") for n in z.namelist()}))',
    file,
  ]);
  return JSON.parse(out.toString('utf8')) as Record<string, string>;
}

/** Every file below a folder (relative paths), to prove nothing was written elsewhere. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}
