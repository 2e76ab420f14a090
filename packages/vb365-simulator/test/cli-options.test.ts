// The standalone simulator's command line: the new state switches reach the options and the data,
// and wrong values are refused with a message naming the flag.
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../src/cli-options.js';
import { SEED_ORGANIZATION_IDS, SEED_REPOSITORY_IDS, SimulatorData, addSeedData } from '../src/index.js';

const NOW = new Date('2026-12-01T12:00:00Z');

function parse(args: string[]) {
  const parsed = parseCliOptions(args, NOW);
  if (!parsed) throw new Error('expected options, got --help');
  return parsed;
}

describe('vb365-simulator command line', () => {
  it('keeps the old defaults without the new flags', () => {
    const { options } = parse([]);
    expect(options).toEqual({ port: 4443, tls: true, seed: true });
  });

  it('turns the answer switches into start options', () => {
    const { options } = parse([
      '--versions=v7,v6',
      '--control',
      '--demo',
      '--product-version=8.0.2.159',
      '--listing-shape=*=page',
      '--listing-shape=used_repositories=array',
      '--absent=license:licenseExpires,gracePeriodExpires',
      '--absent=backup_repositories:objectStorage.sizeLimitGB',
    ]);
    expect(options).toMatchObject({
      versions: ['v6', 'v7'],
      control: true,
      demo: true,
      productVersion: '8.0.2.159',
      listingShapes: {
        organizations: 'page',
        used_repositories: 'array',
        backup_repositories: 'page',
        backed_up_organizations: 'page',
        object_storage_repositories: 'page',
      },
      absentFields: {
        license: ['licenseExpires', 'gracePeriodExpires'],
        backup_repositories: ['objectStorage.sizeLimitGB'],
      },
    });
  });

  it('applies repository state, size limits, licence figures and health entries to the data', () => {
    const { applyState } = parse([
      `--repository-state=${SEED_REPOSITORY_IDS.nordLocal}:out-of-sync,out-of-order=disk missing`,
      `--repository-state=${SEED_REPOSITORY_IDS.fabrikamLocal}:outdated`,
      `--object-storage-limit=${SEED_REPOSITORY_IDS.contosoS3}:3`,
      '--license-total=100',
      '--license-used=101',
      '--license-new=2',
      '--license-expires=+5d',
      '--license-grace-expires=2027-01-01T00:00:00Z',
      '--license-status=Expired',
      '--license-type=Rental',
      '--unhealthy=ConfigurationDatabase=Connection refused',
    ]);
    const data = new SimulatorData();
    addSeedData(data);
    applyState(data);
    expect(data.getBackupRepository(SEED_REPOSITORY_IDS.nordLocal)).toMatchObject({
      isOutOfSync: true,
      isOutOfOrder: true,
      outOfOrderReason: 'disk missing',
      isOutdated: false,
    });
    expect(data.getBackupRepository(SEED_REPOSITORY_IDS.fabrikamLocal)?.isOutdated).toBe(true);
    expect(data.getBackupRepository(SEED_REPOSITORY_IDS.contosoS3)?.objectStorage).toMatchObject({
      sizeLimitEnabled: true,
      sizeLimitGB: 3,
      freeSpaceBytes: 3 * 1024 ** 3 - 2348310138,
    });
    expect(data.license).toMatchObject({
      totalNumber: 100,
      usedNumber: 101,
      newNumber: 2,
      licenseExpires: '2026-12-06T12:00:00.000Z',
      gracePeriodExpires: '2027-01-01T00:00:00.000Z',
      status: 'Expired',
      type: 'Rental',
    });
    expect(data.health.status).toBe('Unhealthy');
    expect(data.health.entries['ConfigurationDatabase']).toEqual({
      status: 'Unhealthy',
      description: 'Connection refused',
    });
  });

  it('turns the generator flags, the start time and the extended view failure into start options', () => {
    const { options } = parse([
      '--organizations=10000',
      '--shared-repositories=20',
      '--jobs-per-organization=2',
      '--copy-jobs-per-organization=1',
      '--proxies=50',
      '--extended-view-failure=500',
      '--start-time=2025-06-01T12:00:00Z',
    ]);
    expect(options).toMatchObject({
      organizationCount: 10_000,
      sharedRepositoryCount: 20,
      jobsPerOrganization: 2,
      copyJobsPerOrganization: 1,
      proxyCount: 50,
      extendedViewFailure: 500,
    });
    // Exactly the given instant when first asked (the start), then on with real time.
    const clock = options.clock ?? { now: () => 0 };
    expect(clock.now()).toBe(Date.parse('2025-06-01T12:00:00Z'));
    expect(clock.now() - Date.parse('2025-06-01T12:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(clock.now() - Date.parse('2025-06-01T12:00:00Z')).toBeLessThan(60_000);
  });

  it('skews a backedupOrganizations value against UsedRepositories', () => {
    const repository = SEED_REPOSITORY_IDS.nordLocal;
    const organization = SEED_ORGANIZATION_IDS.fabrikam;
    const { applyState } = parse([`--backedup-skew=${repository}:${organization}:usedSpaceBytes=42`]);
    const data = new SimulatorData();
    addSeedData(data);
    applyState(data);
    const usage = data.getUsedRepository(organization, repository);
    if (!usage) throw new Error('expected the seed usage row');
    expect(data.backedUpBytes(repository, organization, usage)).toEqual({
      usedSpaceBytes: 42,
      localCacheUsedSpaceBytes: 0,
      objectStorageUsedSpaceBytes: 0,
    });
    expect(usage.usedSpaceBytes).toBe(1234567890);
  });

  it.each([
    [['--backedup-skew=a:b:sizeBytes=1'], /--backedup-skew: field/],
    [['--backedup-skew=a:b'], /--backedup-skew expects/],
    [['--extended-view-failure=200'], /--extended-view-failure expects an error status/],
    [['--start-time=yesterday'], /--start-time expects/],
    [['--proxies=many'], /--proxies expects a non-negative integer/],
    [['--listing-shape=organizations=pages'], /--listing-shape: shape/],
    [['--listing-shape=token=array'], /not a listing/],
    [['--absent=nowhere:x'], /unknown route 'nowhere'/],
    [['--repository-state=abc:broken'], /unknown flag 'broken'/],
    [['--repository-state=abc'], /--repository-state expects/],
    [['--license-expires=tomorrow'], /--license-expires expects/],
    [['--license-status=Valid-ish'], /--license-status/],
    [['--license-type=Perpetual'], /--license-type/],
    [['--object-storage-limit=abc:-1'], /non-negative integer/],
  ])('refuses %s', (args, message) => {
    expect(() => parseCliOptions(args, NOW)).toThrow(message);
  });
});
