import { describeTimerStoreContract } from '../../../test/contracts/timer-store.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteTimerStore } from './sqlite-timer-store';

describeTimerStoreContract('SqliteTimerStore', async () => new SqliteTimerStore(openSqliteDatabase(':memory:')));
