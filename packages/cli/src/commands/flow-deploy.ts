import { readFileSync } from 'node:fs';
import { normalizeSource, replaceNamespace, splitYamlDocuments } from '@windhover/runtime';
import { ApiClient, readConnectionArgs } from '../api-client';
import { errorText } from '../apply/apply-plan';
import { yamlFiles } from '../apply/manifests';
import type { CliIo, Command } from '../command';
import { lineDiff } from '../line-diff';
import { mapLimit } from '../map-limit';
import { lineInSource, splitConstraint } from '../yaml-locations';

const USAGE =
  'flow deploy FILE|DIR [--namespace NS] [--override] [--fail-fast] [--delete [--allow-empty]] [--dry-run] [--diff] [-o table|json] [--server URL] [--user USER:PASSWORD | --api-token TOKEN] [--tenant main]';

/** The manager name sent with every write, so that flows labelled system.readOnly may be deployed. */
export const DEPLOY_MANAGER = 'windhover-flow-deploy';

interface DeployArgs {
  readonly path: string;
  readonly namespace?: string;
  readonly override: boolean;
  readonly failFast: boolean;
  readonly delete: boolean;
  readonly allowEmpty: boolean;
  readonly dryRun: boolean;
  readonly diff: boolean;
  readonly output: 'table' | 'json';
}

function parseArgs(args: readonly string[]): DeployArgs | string {
  let path: string | undefined;
  let namespace: string | undefined;
  let output: 'table' | 'json' = 'table';
  const flags = { override: false, failFast: false, delete: false, allowEmpty: false, dryRun: false, diff: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--namespace' || a === '-n') namespace = args[++i];
    else if (a.startsWith('--namespace=')) namespace = a.slice('--namespace='.length);
    else if (a === '--override') flags.override = true;
    else if (a === '--fail-fast') flags.failFast = true;
    else if (a === '--delete') flags.delete = true;
    else if (a === '--allow-empty') flags.allowEmpty = true;
    else if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--diff') flags.diff = true;
    else if (a === '-o' || a === '--output') {
      const o = args[++i];
      if (o !== 'table' && o !== 'json') return `--output must be table or json (got '${o ?? ''}')`;
      output = o;
    } else if (a.startsWith('-')) return `unknown argument '${a}'`;
    else if (path === undefined) path = a;
    else return `unexpected argument '${a}'`;
  }
  if (!path) return 'give the folder (or file) of flows to deploy';
  if (namespace !== undefined && !/^[a-z0-9][a-z0-9._-]*$/.test(namespace)) return `--namespace '${namespace}' is not a valid namespace`;
  if (flags.delete && !namespace) return '--delete needs --namespace: only flows of that one namespace are deleted';
  return { path, ...(namespace ? { namespace } : {}), ...flags, output };
}

/** One flow read from the folder. */
interface LocalFlow {
  readonly file: string;
  /** 1-based line of the document in its file. */
  readonly firstLine: number;
  readonly source: string;
  namespace?: string;
  id?: string;
}

function readFlows(path: string, namespace: string | undefined): LocalFlow[] {
  const out: LocalFlow[] = [];
  for (const file of yamlFiles(path)) {
    const text = readFileSync(file, 'utf8');
    let searchFrom = 0;
    for (const doc of splitYamlDocuments(text)) {
      const offset = text.indexOf(doc, searchFrom);
      searchFrom = offset >= 0 ? offset + doc.length : searchFrom;
      const firstLine = offset >= 0 ? text.slice(0, offset).split('\n').length : 1;
      // Unlike kestractl, only the `namespace:` line is rewritten: comments and formatting stay.
      out.push({ file, firstLine, source: namespace ? replaceNamespace(doc, namespace) : doc });
    }
  }
  return out;
}

type Status = 'created' | 'updated' | 'unchanged' | 'deleted' | 'failed' | 'skipped';
interface Result {
  file?: string;
  namespace: string;
  id: string;
  status: Status;
  revision?: number;
  error?: string;
  diff?: string[];
}

/**
 * `windhover flow deploy flows/ --namespace prod --override --fail-fast`: kestractl's
 * `flows deploy` (and Kestra's deploy-flows GitHub Action) against any Windhover API.
 * Every flow is validated by the server first and the whole plan is checked (an existing
 * flow that differs needs --override; duplicates are refused); one problem means nothing
 * is deployed. An identical flow is `unchanged`, with or without --override (kestractl
 * fails on it). `--delete` (with --namespace) removes the namespace's flows that the
 * folder no longer has, refusing an empty folder unless --allow-empty. Writes carry
 * `X-Windhover-Managed-By: windhover-flow-deploy`, so read-only flows can be deployed.
 */
export const FLOW_DEPLOY_COMMAND: Command = {
  name: ['flow', 'deploy'],
  summary: 'Validate then deploy a folder of flows through the API (kestractl flows deploy)',
  usage: USAGE,
  async run(args, io: CliIo) {
    const conn = readConnectionArgs(args, process.env, DEPLOY_MANAGER);
    const parsed = typeof conn === 'string' ? conn : parseArgs(conn.rest);
    if (typeof conn === 'string' || typeof parsed === 'string') {
      io.err(`${typeof conn === 'string' ? conn : parsed}\nUsage: windhover ${USAGE}`);
      return 2;
    }
    const api = new ApiClient(conn.connection);
    try {
      let flows: LocalFlow[];
      try {
        flows = readFlows(parsed.path, parsed.namespace);
      } catch {
        io.err(`${parsed.path}: not found`);
        return 1;
      }
      if (flows.length === 0 && !(parsed.delete && parsed.allowEmpty)) {
        io.err(`No flows found in ${parsed.path} (.yml/.yaml files)${parsed.delete ? '; add --allow-empty to delete every flow of the namespace' : ''}`);
        return 1;
      }

      // 1. Plan: server-side validation of every flow, then conflicts with what is deployed.
      const problems: string[] = [];
      const validations = await api.validateFlows(flows.map((f) => f.source));
      for (const [i, f] of flows.entries()) {
        const v = validations.find((r) => r.index === i);
        if (v?.flow) f.id = v.flow;
        if (v?.namespace) f.namespace = v.namespace;
        for (const c of (v?.constraints ?? '').split('\n').filter((l) => l.trim() !== '')) {
          const { path, message } = splitConstraint(c);
          const line = lineInSource(f.source, path);
          problems.push(`${f.file}:${f.firstLine + (line ?? 1) - 1}: ${path ? `${path}: ` : ''}${message}`);
        }
      }
      const seen = new Map<string, LocalFlow>();
      for (const f of flows) {
        const key = `${f.namespace}.${f.id}`;
        const first = seen.get(key);
        if (first) problems.push(`${f.file}:${f.firstLine}: flow '${key}' is also defined in ${first.file}:${first.firstLine}`);
        else seen.set(key, f);
      }
      type Plan = { flow: LocalFlow; action: 'create' | 'update' | 'unchanged'; before?: string };
      const plan: Plan[] = [];
      if (problems.length === 0) {
        const currents = await mapLimit(flows, 8, (f) => api.getFlow(f.namespace as string, f.id as string));
        for (const [i, f] of flows.entries()) {
          const current = currents[i];
          if (!current) plan.push({ flow: f, action: 'create' });
          else if (normalizeSource(current.source ?? '') === normalizeSource(f.source)) plan.push({ flow: f, action: 'unchanged' });
          else if (!parsed.override) problems.push(`${f.file}:${f.firstLine}: flow '${f.namespace}.${f.id}' already exists and differs; use --override to update it`);
          else plan.push({ flow: f, action: 'update', before: current.source ?? '' });
        }
      }
      if (problems.length > 0) {
        io.err(`Nothing was deployed; ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        return 1;
      }
      const keep = new Set(flows.map((f) => `${f.namespace}.${f.id}`));
      const toDelete = parsed.delete && parsed.namespace ? (await api.listFlows(parsed.namespace)).filter((f) => !keep.has(`${f.namespace}.${f.id}`)) : [];

      // 2. Apply, flow by flow; --fail-fast stops at the first failure. Deletions only when all went well.
      const results: Result[] = [];
      let failed = false;
      for (const { flow: f, action, before } of plan) {
        const base = { file: f.file, namespace: f.namespace as string, id: f.id as string, ...(parsed.diff && before !== undefined ? { diff: lineDiff(before, f.source) } : {}) };
        if (failed && parsed.failFast) {
          results.push({ ...base, status: 'skipped' });
          continue;
        }
        try {
          if (action === 'unchanged' || parsed.dryRun) results.push({ ...base, status: action === 'create' ? 'created' : action === 'update' ? 'updated' : 'unchanged' });
          else {
            const saved = action === 'create' ? await api.createFlow(f.source) : await api.updateFlow(base.namespace, base.id, f.source);
            results.push({ ...base, status: action === 'create' ? 'created' : 'updated', ...(saved.revision !== undefined ? { revision: saved.revision } : {}) });
          }
        } catch (e) {
          failed = true;
          results.push({ ...base, status: 'failed', error: errorText(e) });
        }
      }
      for (const d of toDelete) {
        const base = { namespace: d.namespace, id: d.id };
        if (failed) {
          results.push({ ...base, status: 'skipped', error: 'not deleted: a deployment failed' });
          continue;
        }
        try {
          if (!parsed.dryRun) await api.deleteFlow(d.namespace, d.id);
          results.push({ ...base, status: 'deleted' });
        } catch (e) {
          failed = true;
          results.push({ ...base, status: 'failed', error: errorText(e) });
        }
      }
      const count = (s: Status): number => results.filter((r) => r.status === s).length;
      const summary = { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), deleted: count('deleted'), failed: count('failed'), skipped: count('skipped') };
      if (parsed.output === 'json') io.out(JSON.stringify({ dryRun: parsed.dryRun, results, summary }, null, 2));
      else {
        for (const r of results) {
          const line = `${r.status.padEnd(9)} ${r.namespace}.${r.id}${r.file ? `  ${r.file}` : ''}${r.error ? `  ${r.error}` : ''}`;
          if (r.status === 'failed') io.err(line);
          else io.out(line);
          for (const l of r.diff ?? []) io.out(`    ${l}`);
        }
        io.out(
          `${results.length} flow(s)${parsed.dryRun ? ' (dry run)' : ''}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.deleted} deleted${summary.failed ? `, ${summary.failed} failed` : ''}${summary.skipped ? `, ${summary.skipped} skipped` : ''}`,
        );
      }
      return failed ? 1 : 0;
    } catch (e) {
      io.err(`flow deploy failed: ${errorText(e)}`);
      return 1;
    }
  },
};
