import { createDataSource } from './src/db/dataSource';
import { schema } from './src/schema';

/** The single DataSource the TypeORM CLI uses. */
export default createDataSource(process.env.DATABASE_URL ?? 'sqlite:./data/integrator.sqlite', schema);
