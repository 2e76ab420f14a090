// Default licence and health answers: a valid subscription with room to spare and a healthy server,
// so nothing alerts unless a test or the demo says so.
import type { SimulatedHealth, SimulatedLicense } from './model.js';

const DAY_MS = 24 * 3600 * 1000;

/** Dates relative to `now` (the simulator's start), so the default licence never drifts into expiry. */
export function defaultLicense(now: Date): SimulatedLicense {
  const at = (days: number): string => new Date(now.getTime() + days * DAY_MS).toISOString();
  return {
    licenseID: 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0',
    email: 'licensing@contoso.example',
    status: 'Valid',
    licenseExpires: at(365),
    gracePeriodExpires: at(365 + 30),
    type: 'Subscription',
    package: 'Suite',
    licensedTo: 'Contoso Ltd.',
    contactPerson: 'Backup Administrator',
    totalNumber: 500,
    usedNumber: 238,
    newNumber: 0,
    supportID: '01234567',
    supportExpirationDate: at(365),
  };
}

/** The two components the v8 document names: the NATS server and the PostgreSQL configuration database. */
export function defaultHealth(): SimulatedHealth {
  return {
    status: 'Healthy',
    entries: {
      ConfigurationDatabase: { status: 'Healthy', description: 'PostgreSQL configuration database is reachable' },
      NatsServer: { status: 'Healthy', description: 'NATS server is reachable' },
    },
  };
}
