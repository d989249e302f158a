import { ApiKey } from '../apiKeys/apiKey.entity';
import { BankAppRegistration } from '../registrations/appRegistration.entity';
import { BankConnection } from '../connections/bankConnection.entity';
import { ConnectSession } from '../connections/connectSession.entity';
import { JobLease } from '../jobs/jobLease.entity';
import { BankToken } from '../tokens/bankToken.entity';
import { Transfer } from '../transfers/transfer.entity';

export const entities = [ApiKey, BankAppRegistration, BankConnection, ConnectSession, BankToken, JobLease, Transfer];
