import { Column, type ColumnOptions } from 'typeorm';

/**
 * Column shapes that mean the same on SQLite and MySQL/MariaDB. Millisecond precision matters:
 * MySQL `datetime` silently drops milliseconds and expiry comparisons would drift.
 */
export const DateTimeColumn = (options: ColumnOptions = {}) => Column({ type: 'datetime', precision: 3, ...options });

export const CompanyIdLength = 64;
export const CompanyIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
