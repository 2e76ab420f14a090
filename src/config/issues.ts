/**
 * A failed schema check as the one-line ConfigError users read: the setting as they wrote it, what
 * the schema expected (each value schema words its own, see values.ts) and what it got.
 */
import type { z } from 'zod';
import { ConfigError, describeValue } from './errors.js';
import type { GotParams } from './values.js';

export interface IssueNaming {
  /** The setting an issue at `path` belongs to, as the user wrote it (`VB365_URL`, `servers[0].url (file)`). */
  readonly settingAt: (path: readonly PropertyKey[]) => string;
  /** Whether the value at `path` must never be shown. */
  readonly secretAt?: (path: readonly PropertyKey[]) => boolean;
}

/** Parses `input` with `schema`, or throws the ConfigError of its first issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, naming: IssueNaming): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  // An unknown key first: a misspelt key usually explains the missing one.
  const issue =
    result.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? result.error.issues[0];
  if (issue === undefined) throw new ConfigError(naming.settingAt([]), 'a valid value');
  throw configError(issue, input, naming);
}

function configError(issue: z.core.$ZodIssue, input: unknown, naming: IssueNaming): ConfigError {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    // Quoted when it is not a plain word, so the message stays one line whatever the file holds.
    const printable = /^[\w.-]+$/.test(key) ? key : JSON.stringify(key);
    return new ConfigError(naming.settingAt([...issue.path, printable]), issue.message, 'an unknown key');
  }
  const given = (issue as { params?: GotParams }).params?.got;
  const secret = naming.secretAt?.(issue.path) ?? false;
  return new ConfigError(
    naming.settingAt(issue.path),
    issue.message,
    given ?? describeValue(writtenValue(input, issue), secret),
  );
}

/** The value as the user wrote it (`"0"`, not the 0 a transform made of it) where the path still leads to it. */
function writtenValue(input: unknown, issue: z.core.$ZodIssue): unknown {
  let value = input;
  for (const key of issue.path) {
    if (typeof value !== 'object' || value === null) return issue.input;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
