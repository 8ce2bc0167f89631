/**
 * The single DynamoDB table: key and index names shared by the adapters, the
 * CDK storage construct and the tests. Dependency-free on purpose.
 *
 * Item families (pk / sk), `T#` = tenant:
 * - flow latest     `T#{t}#FLOW#{ns}#{id}` / `LATEST`      gsi1: `T#{t}#FLOWS` / `{ns}#{id}`
 * - flow revision   `T#{t}#FLOW#{ns}#{id}` / `REV#{n:10}`
 * - execution head  `T#{t}#EXEC#{id}` / `H`                 gsi1: `T#{t}#EXS#{shard}` / `{startDate}#{id}`
 *                                                            gsi2: `T#{t}#EXF#{ns}#{flow}#{shard}` / `{startDate}#{id}`
 * - task run chunk  `T#{t}#EXEC#{id}` / `C#{i:5}`
 * - log batch       `T#{t}#LOG#{executionId|_trigger#…}` / `{ts}#{hash}`  gsi1: `T#{t}#LOGS#{shard}` / `{ts}#{hash}`
 * - trigger state `T#{t}#TRG#{ns}#{flow}` / `{triggerId}`    gsi1: `T#{t}#TRIGGERS` / `{ns}#{flow}#{trigger}`
 * - KV entry        `T#{t}#KV#{ns}` / `{key}`               gsi1: `T#{t}#KVS` / `{ns}#{key}`; ttl: expiration epoch s
 * - timer           `TIMER#{id}` / `T`                      gsi1: `TIMERS#{shard}` / `{fireAt UTC}#{id}`
 * - ns file         `T#{t}#NSF#{ns}` / `P#{path}`
 * - ns file rev     `T#{t}#NSFR#{ns}#{path}` / `R#{n:10}`
 * - flow slots      `T#{t}#SLOTS#{ns}#{flow}` / `S`      active: string set of execution ids holding a concurrency slot
 * - attempt result  `T#{t}#ATT#{executionId}` / `{taskRunId}#{attempt:5}`  a worker's result message (ItemCodec body);
 *                   exp: expiry epoch ms; ttl: expiry epoch s (DynamoDB deletes it, up to ~48 h late)
 *
 * Listings that would concentrate writes on one partition (all executions of
 * a tenant, of one busy flow, all logs) are spread over `SHARDS` shards by a
 * hash of the item id; readers query every shard in parallel and merge.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  /**
   * Only the listed attributes are copied into each index (INCLUDE
   * projection); DynamoDB writes an index only when one of its keys or
   * projected attributes changes. gsi1 (tenant-wide listings) holds nothing
   * that changes while an execution runs, so the end of an execution writes
   * it no more; gsi2 (one flow's executions) also carries the state, which
   * per-flow listings by state need (e.g. the QUEUED executions of a flow
   * with a concurrency limit).
   */
  indexes: [
    {
      name: 'gsi1',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      projectedAttributes: ['body', 'ns', 'flowId', 'startDate', 'labels', 'parentId', 'lvl'],
    },
    {
      name: 'gsi2',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      projectedAttributes: ['ns', 'flowId', 'startDate', 'labels', 'parentId', 'state'],
    },
  ],
} as const;

/** Number of write shards for hot listings (executions, logs). */
export const SHARDS = 8;
