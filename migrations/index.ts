import { Foundation1732300000000 } from './1732300000000-Foundation';

/** Every migration, oldest first: imported as classes so that the build needs no glob at run time. */
export const migrations = [Foundation1732300000000];
