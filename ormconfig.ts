import { createDataSource } from './src/db/dataSource';

/** The single DataSource the TypeORM CLI uses: DATABASE_URL as for the service. */
export default createDataSource(process.env.DATABASE_URL ?? 'sqlite:./data/integrator.sqlite');
