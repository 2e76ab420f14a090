/** Pieces of the client's values that tests build by hand. */
import type { BackupRepository } from '../../src/facts/backup-repositories/index.js';

/** A backup repository that reports none of the state flags and no object storage. */
export const UNREPORTED_STATE: Omit<BackupRepository, 'id' | 'name' | 'capacityBytes' | 'freeSpaceBytes'> = {
  isOutOfSync: null,
  isOutdated: null,
  isOutOfOrder: null,
  outOfOrderReason: '',
  objectStorage: undefined,
  objectStorageId: undefined,
};
