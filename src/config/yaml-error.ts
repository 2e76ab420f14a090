/** How a YAML file that does not parse is reported: one line, ending with the offending line of the file. */

/**
 * The YAML library's first line without its dangling colon, and the key of the offending line (or, for an
 * error found at a blank line or the end of the file, of the last line with something on it before it).
 * Never the value: the line that does not parse is often the one holding a password or a private key.
 */
export function yamlErrorText(error: unknown, text: string): string {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/:$/, '') ?? '';
  const line = (error as { linePos?: ReadonlyArray<{ line: number }> }).linePos?.[0]?.line;
  if (line === undefined) return reason;
  const lines = text.split(/\r?\n/).slice(0, line);
  const offending = lines.reverse().find((candidate) => candidate.trim() !== '');
  const key = offending?.match(/^\s*(?:-\s+)?([\w.-]+)\s*:/)?.[1];
  return key === undefined ? reason : `${reason}, in the line of ${JSON.stringify(key)}`;
}
