/** Refs advertised by a remote. */
export interface RemoteRefs {
  /** Branch name → commit id. */
  readonly heads: ReadonlyMap<string, string>;
  /** Tag name → commit id (peeled when annotated). */
  readonly tags: ReadonlyMap<string, string>;
  /** The branch HEAD points at, when the server says so. */
  readonly defaultBranch?: string;
}

export interface CloneOptions {
  /** Branch or tag to fetch and check out; the remote's default branch when absent. */
  readonly ref?: string;
  /** Shallow depth; undefined = full history. */
  readonly depth?: number;
  readonly singleBranch: boolean;
  readonly noTags: boolean;
  /** Fetch objects and set HEAD without writing a working tree (sync tasks read the tree directly). */
  readonly noCheckout: boolean;
}

/**
 * The network side of Git: listing refs, cloning and pushing. Everything local
 * (trees, blobs, commits) is done with isomorphic-git on the cloned folder,
 * whichever transport fetched it.
 */
export interface GitRemote {
  listRefs(): Promise<RemoteRefs>;
  clone(dir: string, options: CloneOptions): Promise<void>;
  /** Pushes the local `branch` to the remote branch of the same name; throws PushRejected on a non-fast-forward. */
  push(dir: string, branch: string): Promise<void>;
}

/** A push the remote refused because its branch moved on (or another ref-level rejection). */
export class PushRejected extends Error {
  override readonly name = 'PushRejected';
  constructor(
    message: string,
    readonly nonFastForward: boolean,
  ) {
    super(message);
  }
}
