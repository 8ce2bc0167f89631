import { createHash } from 'node:crypto';
import { SHARDS } from './table-schema';

export const pad = (n: number, width = 10): string => String(n).padStart(width, '0');

/** Stable shard of an id in [0, SHARDS). */
export function shardOf(id: string): number {
  return createHash('sha1').update(id).digest().readUInt16BE(0) % SHARDS;
}

export const allShards = (): number[] => Array.from({ length: SHARDS }, (_, i) => i);

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export const keys = {
  flow: (t: string, ns: string, id: string) => `T#${t}#FLOW#${ns}#${id}`,
  flows: (t: string) => `T#${t}#FLOWS`,
  execution: (t: string, id: string) => `T#${t}#EXEC#${id}`,
  executionsShard: (t: string, shard: number) => `T#${t}#EXS#${shard}`,
  executionsOfFlowShard: (t: string, ns: string, flowId: string, shard: number) => `T#${t}#EXF#${ns}#${flowId}#${shard}`,
  logs: (t: string, owner: string) => `T#${t}#LOG#${owner}`,
  logsShard: (t: string, shard: number) => `T#${t}#LOGS#${shard}`,
  kv: (t: string, ns: string) => `T#${t}#KV#${ns}`,
  nsFiles: (t: string, ns: string) => `T#${t}#NSF#${ns}`,
  nsFileRevisions: (t: string, ns: string, path: string) => `T#${t}#NSFR#${ns}#${path}`,
  concurrencySlots: (t: string, ns: string, flowId: string) => `T#${t}#SLOTS#${ns}#${flowId}`,
  attemptResults: (t: string, executionId: string) => `T#${t}#ATT#${executionId}`,
} as const;
