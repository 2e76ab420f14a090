/**
 * Organization and repository names a VB365 server may well hold (they are typed by people): quotes,
 * backslashes, newlines, markup, ampersands, and one of 5,000 characters. Each must come out of the
 * exporter exactly as the server sent it, escaped only where the format needs it.
 */
import type { Simulator } from 'vb365-simulator';

/** 5,000 characters (UTF-16 code units) cycling through everything the exposition and HTML must escape. */
export const LONG_NAME = Array.from({ length: 5000 }, (_, index) => 'ab"\\\n<&>é\''[index % 10]).join('');

export const HOSTILE_NAMES: readonly string[] = [
  'Contoso "Holdings"',
  'C:\\Backups\\',
  'back\\nslash (a backslash and an n, not a newline)',
  'first line\nsecond line\n',
  '<script>alert(1)</script>',
  'Fish & Chips &amp; &lt;b&gt; &#60;',
  "O'Brien'; DROP TABLE organizations;--",
  '"\\"\\\\"\n\\',
  '📦 Ünïcödé backups',
  LONG_NAME,
];

export interface HostileOrganization {
  readonly id: string;
  readonly name: string;
  readonly repositoryId: string;
  readonly repositoryName: string;
  /** The used repository's `details` text (a label too). */
  readonly details: string;
}

const uuid = (prefix: string, index: number): string => `${prefix}-0000-4000-8000-${String(index).padStart(12, '0')}`;

/** One organization per hostile name, each using one repository of its own named after another hostile name. */
export const HOSTILE_ORGANIZATIONS: readonly HostileOrganization[] = HOSTILE_NAMES.map((name, index) => ({
  id: uuid('0ddba11e', index),
  name,
  repositoryId: uuid('bad0da7a', index),
  repositoryName: HOSTILE_NAMES[HOSTILE_NAMES.length - 1 - index] ?? '',
  details: HOSTILE_NAMES[(index + 3) % HOSTILE_NAMES.length] ?? '',
}));

/** Adds the hostile organizations and their repositories to the simulator's data (next answers hold them). */
export function addHostileOrganizations(simulator: Simulator): void {
  for (const organization of HOSTILE_ORGANIZATIONS) {
    simulator.data.addBackupRepository({ id: organization.repositoryId, name: organization.repositoryName });
    simulator.data.addOrganization({
      id: organization.id,
      name: organization.name,
      usedRepositories: [
        { repositoryId: organization.repositoryId, usedSpaceBytes: 1024, details: organization.details },
      ],
    });
  }
}
