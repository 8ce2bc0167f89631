#!/usr/bin/env node
// local-aws-sqs 2.0.2 has two bugs that matter to us (see shared/specs/emulators.md §3b):
//  1. a long poll with MaxNumberOfMessages > 1 waits the full WaitTimeSeconds even when
//     messages are ready (AWS returns at once);
//  2. FIFO queues do not lock a message group while one of its messages is in flight;
//  3. a FIFO deduplication id is forgotten as soon as its message is deleted (AWS keeps
//     it for 5 minutes), so a re-sent effect would be delivered twice.
// Instead of editing node_modules in place, this writes a patched copy beside the
// original (atomically, idempotently) and loads that copy, so `npm ci` stays pristine
// and concurrent test workers never see a half-written file.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const EXPECTED_VERSION = '2.0.2';
const MARK = '/*windhover-patched v2*/';
const EDITS = [
  [
    'setInterval(()=>{d++;for(let y of S(this,E))if(!y.delayed){if(y.visible){',
    'setInterval(()=>{d++;let L=new Set(this.FifoQueue?S(this,E).filter(x=>!x.visible&&!x.delayed&&!r.some(q=>q.record.MessageId==x.record.MessageId)).map(x=>x.record.attributes.MessageGroupId):[]);for(let y of S(this,E))if(!y.delayed){if(y.visible&&!(this.FifoQueue&&L.has(y.record.attributes.MessageGroupId))){',
  ],
  [
    'if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}},10)',
    'if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}r.length>0&&(clearInterval(c),clearTimeout(n),o())},10)',
  ],
  [
    'm(this,Oe,t=>{let e=S(this,E).findIndex(i=>i.record.MessageId==t);if(e!=-1)return clearTimeout(',
    'm(this,Oe,t=>{let e=S(this,E).findIndex(i=>i.record.MessageId==t);if(e!=-1&&S(this,E)[e].record.attributes.MessageDeduplicationId){(this.__dd||(this.__dd=[])).push({q:S(this,E)[e],at:Date.now()})}if(e!=-1)return clearTimeout(',
  ],
  [
    'm(this,Ye,(t,e)=>this.DeduplicationScope=="queue"?S(this,E).find(i=>i.record.attributes.MessageDeduplicationId==e):S(this,E).find(i=>i.record.attributes.MessageGroupId==t&&i.record.attributes.MessageDeduplicationId==e));',
    'm(this,Ye,(t,e)=>{this.__dd=(this.__dd||[]).filter(x=>Date.now()-x.at<3e5);let all=[...S(this,E),...this.__dd.map(x=>x.q)];return this.DeduplicationScope=="queue"?all.find(i=>i.record.attributes.MessageDeduplicationId==e):all.find(i=>i.record.attributes.MessageGroupId==t&&i.record.attributes.MessageDeduplicationId==e)});',
  ],
];

/** Path of the patched copy of local-aws-sqs's entry point, created if needed. */
export function patchedLocalAwsSqsPath() {
  const entry = require.resolve('local-aws-sqs');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
  if (pkg.version !== EXPECTED_VERSION) {
    throw new Error(`local-aws-sqs ${pkg.version} installed; the patch targets exactly ${EXPECTED_VERSION}`);
  }
  const patched = join(dirname(entry), 'index.windhover-patched.cjs');
  if (existsSync(patched) && readFileSync(patched, 'utf8').endsWith(`${MARK}\n`)) return patched;
  let source = readFileSync(entry, 'utf8');
  for (const [from, to] of EDITS) {
    if (source.split(from).length !== 2) throw new Error('local-aws-sqs patch anchor missing');
    source = source.replace(from, to);
  }
  const tmp = `${patched}.${process.pid}.tmp`;
  writeFileSync(tmp, `${source}\n${MARK}\n`);
  renameSync(tmp, patched);
  return patched;
}

/** The patched module (`createSqsServer` etc.). */
export function loadPatchedLocalAwsSqs() {
  return require(patchedLocalAwsSqsPath());
}

if (process.argv[1]?.endsWith('patch-local-aws-sqs.mjs')) {
  process.stdout.write(`${patchedLocalAwsSqsPath()}\n`);
}
