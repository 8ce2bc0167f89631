import { type FSWatcher, watch } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Logger } from '@windhover/core';
import type { FlowService } from '@windhover/runtime';

export interface LocalFlowSyncOptions {
  readonly dir: string;
  readonly tenantId?: string;
  readonly flows: FlowService;
  readonly logger: Logger;
  /** Wait after the last change before syncing (editors write in several steps). */
  readonly debounceMs?: number;
}

const isFlowFile = (name: string): boolean => /\.ya?ml$/i.test(name);

async function flowFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && isFlowFile(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Kestra's local flow sync: every YAML file of a folder is a flow. Files are
 * loaded at start and whenever they change; an identical file stores no new
 * revision, an invalid one is logged and skipped, and a deleted file deletes
 * its flow (only flows that came from this folder).
 */
export class LocalFlowSync {
  private readonly dir: string;
  private readonly tenantId: string;
  /** File path → the flow it defines. */
  private readonly owned = new Map<string, { namespace: string; id: string }>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: LocalFlowSyncOptions) {
    this.dir = resolve(options.dir);
    this.tenantId = options.tenantId ?? 'main';
  }

  /** Loads the folder once, then watches it. */
  async start(): Promise<void> {
    if (!(await stat(this.dir)).isDirectory()) throw new Error(`flows folder '${this.dir}' is not a directory`);
    await this.sync();
    this.watcher = watch(this.dir, { recursive: true }, (_event, name) => {
      if (name && !isFlowFile(String(name))) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.running = this.running.then(() => this.sync());
      }, this.options.debounceMs ?? 150);
    });
  }

  /** One pass over the folder. Returns when every file was applied. */
  async sync(): Promise<void> {
    const { flows, logger } = this.options;
    const seen = new Set<string>();
    for (const file of await flowFiles(this.dir)) {
      seen.add(file);
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      if (source.trim() === '') continue;
      try {
        const { flow, status } = await flows.save(this.tenantId, source);
        const previous = this.owned.get(file);
        this.owned.set(file, { namespace: flow.flow.namespace, id: flow.flow.id });
        // A file that now defines another flow releases the old one.
        if (previous && (previous.namespace !== flow.flow.namespace || previous.id !== flow.flow.id)) await this.remove(previous);
        if (status !== 'UNCHANGED') logger.info('flow synced from folder', { file: relative(this.dir, file), namespace: flow.flow.namespace, flowId: flow.flow.id, revision: flow.revision, status });
      } catch (e) {
        logger.warn('flow file is invalid, skipped', { file: relative(this.dir, file), error: e instanceof Error ? e.message : String(e) });
      }
    }
    for (const [file, ref] of [...this.owned]) {
      if (seen.has(file)) continue;
      this.owned.delete(file);
      if ([...this.owned.values()].some((r) => r.namespace === ref.namespace && r.id === ref.id)) continue;
      await this.remove(ref);
      logger.info('flow deleted with its file', { file: relative(this.dir, file), namespace: ref.namespace, flowId: ref.id });
    }
  }

  private async remove(ref: { namespace: string; id: string }): Promise<void> {
    if (await this.options.flows.find(this.tenantId, ref.namespace, ref.id)) await this.options.flows.delete(this.tenantId, ref.namespace, ref.id);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.watcher?.close();
    await this.running;
  }
}
