import { ApiClient, readConnectionArgs } from '../api-client';
import {
  type PlannedChange,
  type ResourceRef,
  errorText,
  flowProblems,
  localProblems,
  planManifest,
  planPrune,
  readInventory,
  refKey,
  refOf,
  writeInventory,
} from '../apply/apply-plan';
import { type Manifest, readManifests } from '../apply/manifests';
import type { CliIo, Command } from '../command';
import { lineDiff } from '../line-diff';
import { mapLimit } from '../map-limit';

export type { Manifest } from '../apply/manifests';

const USAGE =
  'apply -f FILE|DIR [-f ...] [--dry-run] [--prune [--applyset NAME] [--allow-empty]] [--summary] [--diff] [--server URL] [--user USER:PASSWORD | --api-token TOKEN] [--tenant main]';

/** Read-only requests of the plan in flight at once (writes are sequential, in order). */
const PLAN_CONCURRENCY = 8;

/** The manager name sent with every write, so that flows labelled system.readOnly may be changed. */
export const APPLY_MANAGER = 'windhover-apply';

interface ApplyArgs {
  readonly files: string[];
  readonly dryRun: boolean;
  readonly prune: boolean;
  readonly allowEmpty: boolean;
  readonly summary: boolean;
  readonly diff: boolean;
  readonly applyset: string;
}

function parseArgs(args: readonly string[]): ApplyArgs | string {
  const files: string[] = [];
  let dryRun = false;
  let prune = false;
  let allowEmpty = false;
  let summary = false;
  let diff = false;
  let applyset = 'default';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--filename') files.push(args[++i] ?? '');
    else if (a === '--dry-run') dryRun = true;
    else if (a === '--prune') prune = true;
    else if (a === '--allow-empty') allowEmpty = true;
    else if (a === '--summary') summary = true;
    else if (a === '--diff') diff = true;
    else if (a === '--applyset') applyset = args[++i] ?? '';
    else return `unknown argument '${a}'`;
  }
  if (files.length === 0 || files.some((f) => f === '')) return 'give at least one -f FILE|DIR';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(applyset)) return `--applyset must be a name like 'prod' (got '${applyset}')`;
  return { files, dryRun, prune, allowEmpty, summary, diff, applyset };
}

const VERB: Readonly<Record<PlannedChange['action'], string>> = { create: 'created', update: 'configured', unchanged: 'unchanged', delete: 'deleted' };
const label = (r: ResourceRef): string => `${r.kind.toLowerCase()}/${r.name}`;

/**
 * `windhover apply -f manifests/`: the Kestra Kubernetes operator's resources
 * (KestraFlow, KestraKeyValue, KestraNamespaceFile) applied through the API,
 * like `kubectl apply`. Plan first: every document is checked against the CRD
 * schema and every flow by the server's validate endpoint; one problem means
 * nothing is applied, and all problems are listed with file and line. Writes
 * carry `X-Windhover-Managed-By: windhover-apply`, so flows labelled
 * `system.readOnly: "true"` can be deployed. What was applied is recorded in an
 * inventory (KV `system/windhover-apply.<applyset>`); `--prune` deletes what the
 * inventory holds and the manifests no longer do.
 */
export const APPLY_COMMAND: Command = {
  name: ['apply'],
  summary: 'Apply KestraFlow, KestraKeyValue and KestraNamespaceFile manifests (Kestra operator resources) through the API',
  usage: USAGE,
  async run(args, io: CliIo) {
    const conn = readConnectionArgs(args, process.env, APPLY_MANAGER);
    const parsed = typeof conn === 'string' ? conn : parseArgs(conn.rest);
    if (typeof conn === 'string' || typeof parsed === 'string') {
      io.err(`${typeof conn === 'string' ? conn : parsed}\nUsage: windhover ${USAGE}`);
      return 2;
    }
    const api = new ApiClient(conn.connection);
    const tenant = conn.connection.tenant;
    try {
      // 1. Plan: read and check everything before the first write.
      const read = readManifests(parsed.files);
      const problems = [...read.problems, ...localProblems(read.manifests, tenant)];
      if (read.manifests.some((m) => m.manifest.kind === 'KestraFlow')) problems.push(...(await flowProblems(api, read.manifests, tenant)));
      if (problems.length > 0) {
        io.err(`Nothing was applied; invalid manifests:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        return 1;
      }
      const order: Record<Manifest['kind'], number> = { KestraNamespaceFile: 0, KestraKeyValue: 1, KestraFlow: 2 };
      const manifests = read.manifests.map((m) => m.manifest).sort((a, b) => order[a.kind] - order[b.kind]);
      const changes = await mapLimit(manifests, PLAN_CONCURRENCY, (m) => planManifest(api, m, tenant));
      const current = manifests.map((m) => refOf(m, tenant));
      // Without --prune the apply set is bookkeeping only: a server that refuses it does not stop the apply.
      let inventory: ResourceRef[] = [];
      let inventoryReadable = true;
      try {
        inventory = await readInventory(api, parsed.applyset);
      } catch (e) {
        if (parsed.prune) throw e;
        inventoryReadable = false;
        io.err(`warning: cannot read apply set '${parsed.applyset}', so it is not updated: ${errorText(e)}`);
      }
      const deletions = parsed.prune ? await planPrune(api, inventory, current) : [];
      if (parsed.prune && manifests.length === 0 && deletions.length > 0 && !parsed.allowEmpty) {
        io.err(
          `Nothing was applied: the manifests are empty, so --prune would delete all ${deletions.length} resource(s) of apply set '${parsed.applyset}'. Check the path, or add --allow-empty to really delete them.`,
        );
        return 1;
      }

      // 2. Apply, in order: namespace files, KV entries, flows, then deletions.
      let failed = 0;
      const applied: ResourceRef[] = [];
      const counts = { create: 0, update: 0, unchanged: 0, delete: 0 };
      const runOne = async (c: PlannedChange): Promise<boolean> => {
        if (c.action !== 'unchanged' && !parsed.dryRun) {
          try {
            await c.run();
          } catch (e) {
            failed++;
            io.err(`${label(c.ref)}: ${errorText(e)}`);
            return false;
          }
        }
        counts[c.action]++;
        io.out(`${label(c.ref)} ${VERB[c.action]}${parsed.dryRun && c.action !== 'unchanged' ? ' (dry run)' : ''}`);
        if (parsed.diff && c.diff) for (const l of lineDiff(c.diff.before, c.diff.after)) io.out(`    ${l}`);
        return true;
      };
      for (const c of changes) if (await runOne(c)) applied.push(c.ref);
      const deleted = new Set<string>();
      if (deletions.length > 0 && failed > 0) io.err(`Pruning skipped: ${failed} resource(s) failed to apply.`);
      else for (const d of deletions) if (await runOne(d)) deleted.add(refKey(d.ref));

      // 3. Record the apply set: what it held before (minus what was pruned) plus what was applied now.
      if (!parsed.dryRun && inventoryReadable) {
        const next = new Map<string, ResourceRef>();
        for (const r of inventory) if (!deleted.has(refKey(r))) next.set(refKey(r), r);
        for (const r of applied) next.set(refKey(r), r);
        const before = new Set(inventory.map(refKey));
        const same = next.size === before.size && [...next.keys()].every((k) => before.has(k)) && inventory.every((r) => next.get(refKey(r))?.name === r.name);
        if (!same) {
          try {
            await writeInventory(api, parsed.applyset, [...next.values()]);
          } catch (e) {
            failed++;
            io.err(`cannot record apply set '${parsed.applyset}' (a later --prune would miss what was applied now): ${errorText(e)}`);
          }
        }
      }
      if (parsed.summary) {
        io.out(`Summary: ${counts.create} created, ${counts.update} updated, ${counts.unchanged} unchanged, ${counts.delete} deleted${failed > 0 ? `, ${failed} failed` : ''}${parsed.dryRun ? ' (dry run)' : ''}`);
      }
      return failed > 0 ? 1 : 0;
    } catch (e) {
      io.err(`apply failed: ${errorText(e)}`);
      return 1;
    }
  },
};
