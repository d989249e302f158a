import { Foundation1732300000000 } from './1732300000000-Foundation';
import { Transfers1732400000000 } from './1732400000000-Transfers';
import { ExactIdentities1732500000000 } from './1732500000000-ExactIdentities';
import { OutcomesAndFees1732600000000 } from './1732600000000-OutcomesAndFees';
import { RefreshLeases1732700000000 } from './1732700000000-RefreshLeases';
import { Webhooks1732800000000 } from './1732800000000-Webhooks';
import { AuditEvents1732820000000 } from './1732820000000-AuditEvents';
import { SettlementDates1732900000000 } from './1732900000000-SettlementDates';
import { BulkTransfers1732910000000 } from './1732910000000-BulkTransfers';
import { ServiceInstances1732930000000 } from './1732930000000-ServiceInstances';
import { StatusListIndexes1732940000000 } from './1732940000000-StatusListIndexes';

/** Every migration, oldest first: imported as classes so that the build needs no glob at run time. */
export const migrations = [
  Foundation1732300000000,
  Transfers1732400000000,
  ExactIdentities1732500000000,
  OutcomesAndFees1732600000000,
  RefreshLeases1732700000000,
  Webhooks1732800000000,
  AuditEvents1732820000000,
  SettlementDates1732900000000,
  BulkTransfers1732910000000,
  ServiceInstances1732930000000,
  StatusListIndexes1732940000000,
];
