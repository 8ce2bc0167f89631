import { describeExecutionRepositoryContract } from '../../../test/contracts/execution-repository.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteExecutionRepository } from './sqlite-execution-repository';

describeExecutionRepositoryContract('SqliteExecutionRepository', async () => new SqliteExecutionRepository(openSqliteDatabase(':memory:')));
