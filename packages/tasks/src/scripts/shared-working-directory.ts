import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext, TaskDefinition } from '@windhover/core';
import { packDirectory, unpackDirectory } from './directory-bundle';
import { resolveInputFiles } from './input-files';
import { stageFiles } from './staging';

/** Where the shared folder of one child task run attempt lives on this worker. */
export function sharedWorkingDirectoryPath(key: string, baseDir: string = join(tmpdir(), 'windhover-working-dirs')): string {
  return join(baseDir, key.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** A WorkingDirectory's folder for one task run, restored from and saved back to a bundle. */
export interface SharedWorkingDirectory {
  readonly path: string;
  /** Packs the folder as it is now. */
  snapshot(): Promise<Uint8Array>;
  dispose(): Promise<void>;
}

/**
 * Opens the shared folder of io.kestra.plugin.core.flow.WorkingDirectory for
 * one child task run: restores the previous children's files from `bundle`,
 * or, for the first child, stages the WorkingDirectory's own `inputFiles`
 * and `namespaceFiles`. Serverless workers share no disk, so the folder
 * travels between children as a bundle in internal storage.
 */
export async function openSharedWorkingDirectory(
  path: string,
  bundle: Uint8Array | undefined,
  first: { readonly task: TaskDefinition; readonly ctx: RunContext } | undefined,
): Promise<SharedWorkingDirectory> {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  if (bundle) await unpackDirectory(bundle, path);
  else if (first) await stageFiles(path, await resolveInputFiles(first.task, first.ctx, { workingDir: path }));
  return {
    path,
    snapshot: () => packDirectory(path),
    dispose: () => rm(path, { recursive: true, force: true }),
  };
}
