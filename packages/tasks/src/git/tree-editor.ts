import * as fs from 'node:fs';
import type { TreeEntry } from 'isomorphic-git';
import { git } from './isomorphic-git-loader';
import type { LocalRepo } from './local-repo';

interface Node {
  oid?: string;
  loaded: boolean;
  dirty: boolean;
  entries: Map<string, Entry>;
}

interface Entry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
  node?: Node;
}

/**
 * Edits a commit's tree in the object store, without a working copy: only the
 * folders on the path of a change are read and rewritten, so a push to a large
 * repository costs what it changes.
 */
export class TreeEditor {
  readonly #root: Node;

  constructor(
    readonly repo: LocalRepo,
    rootTree: string | undefined,
  ) {
    this.#root = { oid: rootTree, loaded: rootTree === undefined, dirty: rootTree === undefined, entries: new Map() };
  }

  async #load(node: Node): Promise<void> {
    if (node.loaded) return;
    const { tree } = await git.readTree({ fs, dir: this.repo.dir, oid: node.oid as string, cache: this.repo.cache });
    for (const e of tree) node.entries.set(e.path, { mode: e.mode, type: e.type, oid: e.oid });
    node.loaded = true;
  }

  async #dir(segments: readonly string[], create: boolean): Promise<Node[] | undefined> {
    const chain: Node[] = [this.#root];
    let node = this.#root;
    for (const s of segments) {
      await this.#load(node);
      let e = node.entries.get(s);
      if (e?.type !== 'tree') {
        if (!create) return undefined;
        e = { mode: '040000', type: 'tree', oid: '', node: { loaded: true, dirty: true, entries: new Map() } };
        node.entries.set(s, e);
      }
      e.node ??= { oid: e.oid, loaded: false, dirty: false, entries: new Map() };
      node = e.node;
      chain.push(node);
    }
    await this.#load(node);
    return chain;
  }

  async setFile(path: string, oid: string, mode = '100644'): Promise<void> {
    const segments = path.split('/');
    const name = segments.pop() as string;
    const chain = (await this.#dir(segments, true)) as Node[];
    for (const n of chain) n.dirty = true;
    chain[chain.length - 1].entries.set(name, { mode, type: 'blob', oid });
  }

  async remove(path: string): Promise<boolean> {
    const segments = path.split('/');
    const name = segments.pop() as string;
    const chain = await this.#dir(segments, false);
    if (!chain) return false;
    const removed = chain[chain.length - 1].entries.delete(name);
    if (removed) for (const n of chain) n.dirty = true;
    return removed;
  }

  /** Writes the changed trees and returns the root tree id. */
  async write(): Promise<string> {
    const oid = await this.#write(this.#root);
    return oid ?? (await git.writeTree({ fs, dir: this.repo.dir, tree: [] }));
  }

  async #write(node: Node): Promise<string | undefined> {
    if (!node.dirty) return node.oid;
    const tree: TreeEntry[] = [];
    for (const [path, e] of node.entries) {
      if (e.type === 'tree' && e.node) {
        const oid = await this.#write(e.node);
        if (oid === undefined) continue;
        tree.push({ mode: '040000', path, oid, type: 'tree' });
      } else {
        tree.push({ mode: e.mode, path, oid: e.oid, type: e.type });
      }
    }
    // Git has no empty folders: a folder whose last file was removed disappears.
    if (tree.length === 0) return undefined;
    const oid = await git.writeTree({ fs, dir: this.repo.dir, tree });
    node.oid = oid;
    node.dirty = false;
    return oid;
  }
}
