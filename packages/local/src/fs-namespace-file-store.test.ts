import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNamespaceFileStoreContract } from '../../../test/contracts/namespace-file-store.contract';
import { FsNamespaceFileStore } from './fs-namespace-file-store';
import { openSqliteDatabase } from './sqlite-database';

describeNamespaceFileStoreContract(
  'FsNamespaceFileStore',
  async () => new FsNamespaceFileStore(openSqliteDatabase(':memory:'), mkdtempSync(join(tmpdir(), 'wh-nsfiles-'))),
);
