import { describeLogRepositoryContract } from '../../../test/contracts/log-repository.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteLogRepository } from './sqlite-log-repository';

describeLogRepositoryContract('SqliteLogRepository', async () => new SqliteLogRepository(openSqliteDatabase(':memory:')));
