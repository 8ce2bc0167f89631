#!/usr/bin/env node
// Fetches DynamoDB Local (the official JAR) into .vendor/dynamodb-local, idempotently.
// The JAR ships inside the npm tarball of amplify-dynamodb-simulator; installing that
// package would pull 347 MB of dependencies, so we only `npm pack` it and extract the
// emulator folder. The JAR is under the DynamoDB Local licence: never commit it
// (.vendor/ is gitignored). Safe to run concurrently: a lock directory serialises runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, '.vendor', 'dynamodb-local');
const marker = join(target, 'DynamoDBLocal.jar');

export function dynamoDbLocalDir() {
  return target;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function ensureDynamoDbLocal() {
  if (existsSync(marker)) return target;
  mkdirSync(join(root, '.vendor'), { recursive: true });
  const lock = join(root, '.vendor', 'dynamodb-local.lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(marker)) return target;
      // A lock older than 5 minutes belongs to a process that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (i > 1200) throw new Error('timed out waiting for the DynamoDB Local download lock');
      sleep(250);
    }
  }
  try {
    if (existsSync(marker)) return target;
    const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
    try {
      const out = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' });
      const tgz = join(work, out.trim().split('\n').pop());
      execFileSync('tar', ['xzf', tgz, '-C', work, 'package/emulator']);
      rmSync(target, { recursive: true, force: true });
      renameSync(join(work, 'package', 'emulator'), target);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    if (!existsSync(marker)) throw new Error(`${PACKAGE} did not contain emulator/DynamoDBLocal.jar`);
    return target;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${ensureDynamoDbLocal()}\n`);
}
