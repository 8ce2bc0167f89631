// Runs s3rver in its own process: s3rver encrypts list continuation tokens with DES,
// which OpenSSL 3 only allows with --openssl-legacy-provider, a flag we do not want to
// force on the whole test process. Prints {"port":N} once listening; exits with its parent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const buckets = (process.argv[2] ?? 'windhover').split(',');
const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
