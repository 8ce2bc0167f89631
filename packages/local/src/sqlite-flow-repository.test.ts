import { describeFlowRepositoryContract } from '../../../test/contracts/flow-repository.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteFlowRepository } from './sqlite-flow-repository';

describeFlowRepositoryContract('SqliteFlowRepository', async () => new SqliteFlowRepository(openSqliteDatabase(':memory:')));
