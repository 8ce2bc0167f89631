import { describeConcurrencySlotsContract } from '../../../test/contracts/concurrency-slots.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteConcurrencySlots } from './sqlite-concurrency-slots';

describeConcurrencySlotsContract('SqliteConcurrencySlots', async () => new SqliteConcurrencySlots(openSqliteDatabase(':memory:')));
