import { ConfigError } from '../../src/config/errors.js';

/** Runs `run` and returns the ConfigError it throws; fails when it throws nothing or something else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
