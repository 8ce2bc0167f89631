import { describeTaskRunnerContract } from '../../../../test/contracts/task-runner.contract';
import { ProcessTaskRunner } from './process-runner';

describeTaskRunnerContract('ProcessTaskRunner', () => new ProcessTaskRunner({ env: { PATH: process.env.PATH, SECRET_TOKEN: 'c2VjcmV0' } }));
