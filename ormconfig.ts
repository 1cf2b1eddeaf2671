import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createDataSource } from './src/stores/typeorm/data-source';

/** The TypeORM CLI's data source (`npm run migrate`): the same DATABASE_URL the service reads. */
export default createDataSource(loadConfig().database);
