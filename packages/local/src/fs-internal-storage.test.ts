import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeInternalStorageContract } from '../../../test/contracts/internal-storage.contract';
import { FsInternalStorage } from './fs-internal-storage';

describeInternalStorageContract('FsInternalStorage', async () => new FsInternalStorage(mkdtempSync(join(tmpdir(), 'wh-storage-'))));
