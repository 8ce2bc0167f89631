import { describeTriggerStoreContract } from '../../../test/contracts/trigger-store.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteTriggerStore } from './sqlite-trigger-store';

describeTriggerStoreContract('SqliteTriggerStore', () => new SqliteTriggerStore(openSqliteDatabase(':memory:')));
