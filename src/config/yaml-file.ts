/** The configuration files' YAML, read as one mapping; a file that does not is one line naming the flag. */
import { parse as parseYaml } from 'yaml';
import { ConfigError, describeValue } from './errors.js';
import { readText } from './files.js';

export interface YamlFile {
  /** The flag that names the file (`--config`, `--web.config.file`), for messages. */
  readonly flag: string;
  /** What the file should hold, for the message when it is not a mapping. */
  readonly expected: string;
  /** Whether an empty file (or one of comments only) is an empty mapping rather than an error. */
  readonly emptyIsMapping: boolean;
}

/** The file's top-level mapping; a duplicate key is an error, as the YAML specification says. */
export function readYamlMapping(path: string, file: YamlFile): Readonly<Record<string, unknown>> {
  const text = readText(path, file.flag, 'a readable YAML file');
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(`${file.flag} ${path}`, 'valid YAML', yamlErrorText(error, text));
  }
  if ((parsed === null || parsed === undefined) && file.emptyIsMapping) return {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`${file.flag} ${path}`, file.expected, describeValue(parsed));
  return parsed as Readonly<Record<string, unknown>>;
}

/**
 * The YAML library's first line without its dangling colon, and the key of the offending line (or, for an
 * error found at a blank line or the end of the file, of the last line with something on it before it).
 * Never the value: the line that does not parse is often the one holding a password or a private key.
 */
function yamlErrorText(error: unknown, text: string): string {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/:$/, '') ?? '';
  const line = (error as { linePos?: ReadonlyArray<{ line: number }> }).linePos?.[0]?.line;
  if (line === undefined) return reason;
  const lines = text.split(/\r?\n/).slice(0, line);
  const offending = lines.reverse().find((candidate) => candidate.trim() !== '');
  const key = offending?.match(/^\s*(?:-\s+)?([\w.-]+)\s*:/)?.[1];
  return key === undefined ? reason : `${reason}, in the line of ${JSON.stringify(key)}`;
}
