/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), for the tests and the bench.
 *
 * Plain JavaScript with JSDoc types so that the bench's `.mjs` scripts run it with node as it is; the
 * TypeScript tests get its types from exposition-parser.d.ts beside it (tsconfig has no allowJs).
 *
 * It throws an ExpositionError naming the line on anything malformed: a bad metric or label name, an
 * unterminated label value, an escape other than `\\`, `\"` and `\n` (`\\` and `\n` in HELP), a label
 * name twice in one sample, a value that is not a float as Go's ParseFloat reads it (which the format
 * refers to: NaN, Inf and Infinity in any case; no hexadecimal floats), a timestamp that
 * is not an integer, a second HELP or TYPE line for a family, a TYPE line after the family's first
 * sample, the lines of a family not in one contiguous block, the same series twice, a histogram bucket
 * without `le`, a summary quantile without `quantile`, a last line without its newline.
 *
 * Stricter than the format on purpose, as every client library writes it (the exporter and prom-client
 * included): tokens are separated by exactly one space, with no blanks at the start or end of a line or
 * inside the braces, no trailing comma in a label set, and comment lines other than `# HELP` and
 * `# TYPE` are refused. Empty lines are ignored, as the format says.
 */

/** @typedef {'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'} MetricType */

/**
 * One sample line.
 * @typedef {object} Sample
 * @property {string} name The sample's name: the family's, or with `_bucket`, `_sum`, `_count` for histograms and summaries.
 * @property {Readonly<Record<string, string>>} labels Label values unescaped, in the order of the line (an object without prototype).
 * @property {number} value `NaN`, `+Inf` and `-Inf` (in any case, `Inf` and `Infinity` with or without sign) as NaN, Infinity and -Infinity.
 * @property {string} rawValue The value as written.
 * @property {number | undefined} timestamp Milliseconds since the epoch, when the line has one.
 * @property {number} line 1-based line number.
 */

/**
 * One metric family: its HELP, its TYPE and its samples, in the order of the text.
 * @typedef {object} Family
 * @property {string} name
 * @property {string | undefined} help The HELP text unescaped; undefined without a HELP line.
 * @property {MetricType | undefined} type Undefined without a TYPE line (the family is then untyped).
 * @property {Sample[]} samples
 */

/** Thrown on the first line that is not valid exposition text; `line` is its 1-based number. */
export class ExpositionError extends Error {
  /**
   * @param {number} line
   * @param {string} message
   */
  constructor(line, message) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
    /** @readonly */
    this.line = line;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const METRIC_NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
/**
 * A float as Go's strconv.ParseFloat reads it, which the format refers to: decimal, or NaN, Inf, Infinity
 * in any case, the infinities signed or not (prom-client writes `Nan`). Hexadecimal floats (with the
 * underscores ParseFloat allows in them), which ParseFloat also takes and no client writes, are refused.
 */
const FLOAT = /^(?:nan|[+-]?inf(?:inity)?|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i;
const TIMESTAMP = /^-?\d+$/;
/** @type {ReadonlySet<string>} */
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** @type {Readonly<Record<string, readonly string[]>>} */
const SUFFIXES = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * Parses a whole exposition text into its families, in order.
 * @param {string} text
 * @returns {Family[]}
 */
export function parseExposition(text) {
  /** @type {Family[]} */
  const families = [];
  /**
   * Every family seen, by name, with the number of its last line and the series it holds.
   * @type {Map<string, {family: Family, lastLine: number, series: Set<string>}>}
   */
  const byName = new Map();
  /** @type {{family: Family, lastLine: number, series: Set<string>} | undefined} */
  let current;

  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new ExpositionError(lines.length, 'the last line does not end with a newline');
  lines.pop();

  /**
   * The family `name` for a HELP or TYPE line: the current one, or a new one (never one seen before).
   * @param {string} name
   * @param {number} number
   */
  const familyForComment = (name, number) => {
    if (current?.family.name === name) return current;
    const seen = byName.get(name);
    if (seen !== undefined) throw notContiguous(seen, number);
    return open(name, number);
  };
  /**
   * @param {string} name
   * @param {number} number
   */
  const open = (name, number) => {
    /** @type {Family} */
    const family = { name, help: undefined, type: undefined, samples: [] };
    families.push(family);
    current = { family, lastLine: number, series: new Set() };
    byName.set(name, current);
    return current;
  };

  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const comment = parseComment(line, number);
      const entry = familyForComment(comment.name, number);
      const { family } = entry;
      if (comment.kind === 'HELP') {
        if (family.help !== undefined) throw new ExpositionError(number, `a second HELP line for ${comment.name}`);
        family.help = comment.text;
      } else {
        if (family.type !== undefined) throw new ExpositionError(number, `a second TYPE line for ${comment.name}`);
        const first = family.samples[0] ?? samplesBefore(byName, comment.name, comment.text);
        if (first !== undefined)
          throw new ExpositionError(
            number,
            `the TYPE line of ${comment.name} comes after its sample ${first.name} at line ${first.line}`,
          );
        family.type = /** @type {MetricType} */ (comment.text);
      }
      entry.lastLine = number;
      continue;
    }

    const sample = parseSample(line, number);
    /** @type {{family: Family, lastLine: number, series: Set<string>}} */
    let entry;
    if (current !== undefined && belongsTo(current.family, sample.name)) entry = current;
    else {
      const seen = byName.get(sample.name) ?? summaryOrHistogramOf(byName, sample.name);
      if (seen !== undefined) {
        if (seen === current)
          throw new ExpositionError(
            number,
            `a sample named ${sample.name} in the ${seen.family.type} ${seen.family.name}`,
          );
        throw notContiguous(seen, number);
      }
      entry = open(sample.name, number);
    }
    const { family } = entry;
    if (family.type === 'histogram' && sample.name.endsWith('_bucket')) requireFloatLabel(sample, 'le');
    if (family.type === 'summary' && sample.name === family.name) requireFloatLabel(sample, 'quantile');
    const series = seriesKey(sample);
    if (entry.series.has(series))
      throw new ExpositionError(number, `the series ${sample.name}${labelText(sample.labels)} appears twice`);
    entry.series.add(series);
    family.samples.push(sample);
    entry.lastLine = number;
  }
  return families;
}

/**
 * @param {{family: Family, lastLine: number}} seen
 * @param {number} number
 */
function notContiguous(seen, number) {
  return new ExpositionError(
    number,
    `the lines of ${seen.family.name} are not contiguous: its block ended at line ${seen.lastLine}`,
  );
}

/**
 * Whether a sample of this name is part of the family (histograms and summaries have suffixed samples).
 * @param {Family} family
 * @param {string} name
 */
function belongsTo(family, name) {
  const suffixes = family.type === undefined ? undefined : SUFFIXES[family.type];
  if (suffixes === undefined) return name === family.name;
  return suffixes.some((suffix) => name === family.name + suffix);
}

/**
 * The histogram or summary family a suffixed sample name belongs to, if one was declared.
 * @param {Map<string, {family: Family, lastLine: number, series: Set<string>}>} byName
 * @param {string} name
 */
function summaryOrHistogramOf(byName, name) {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const seen = byName.get(name.slice(0, -suffix.length));
    if (seen !== undefined && belongsTo(seen.family, name)) return seen;
  }
  return undefined;
}

/**
 * A sample already read under a name that a histogram or summary TYPE line claims for its family.
 * @param {Map<string, {family: Family}>} byName
 * @param {string} name
 * @param {string} type
 */
function samplesBefore(byName, name, type) {
  for (const suffix of SUFFIXES[type] ?? []) {
    const first = byName.get(name + suffix)?.family.samples[0];
    if (suffix !== '' && first !== undefined) return first;
  }
  return undefined;
}

/**
 * @param {Sample} sample
 * @param {string} label
 */
function requireFloatLabel(sample, label) {
  const value = sample.labels[label];
  if (value === undefined) throw new ExpositionError(sample.line, `${sample.name} has no ${label} label`);
  if (!FLOAT.test(value))
    throw new ExpositionError(sample.line, `the ${label} label of ${sample.name} is not a number: ${quote(value)}`);
}

/**
 * `# HELP name text` or `# TYPE name type`.
 * @param {string} line
 * @param {number} number
 * @returns {{kind: 'HELP' | 'TYPE', name: string, text: string}}
 */
function parseComment(line, number) {
  const kind = line.startsWith('# HELP ') ? 'HELP' : line.startsWith('# TYPE ') ? 'TYPE' : undefined;
  if (kind === undefined)
    throw new ExpositionError(number, `a comment line other than # HELP or # TYPE: ${quote(line)}`);
  const rest = line.slice(7);
  const space = rest.indexOf(' ');
  const name = space === -1 ? rest : rest.slice(0, space);
  if (!METRIC_NAME.test(name)) throw new ExpositionError(number, `bad metric name in ${kind} line: ${quote(name)}`);
  if (kind === 'TYPE') {
    const type = space === -1 ? '' : rest.slice(space + 1);
    if (!TYPES.has(type)) throw new ExpositionError(number, `bad type for ${name}: ${quote(type)}`);
    return { kind, name, text: type };
  }
  return { kind, name, text: space === -1 ? '' : unescapeHelp(rest.slice(space + 1), number) };
}

/**
 * @param {string} text
 * @param {number} number
 */
function unescapeHelp(text, number) {
  if (!text.includes('\\')) return text;
  let result = '';
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char !== '\\') {
      result += char;
      continue;
    }
    const next = text[++at];
    if (next === '\\') result += '\\';
    else if (next === 'n') result += '\n';
    else
      throw new ExpositionError(
        number,
        next === undefined ? 'the HELP text ends with a lone backslash' : `bad escape \\${next} in HELP text`,
      );
  }
  return result;
}

/**
 * `name{label="value",...} value [timestamp]`.
 * @param {string} line
 * @param {number} number
 * @returns {Sample}
 */
function parseSample(line, number) {
  METRIC_NAME_AT.lastIndex = 0;
  const name = METRIC_NAME_AT.exec(line)?.[0];
  if (name === undefined) throw new ExpositionError(number, `a sample line without a metric name: ${quote(line)}`);
  /** @type {Record<string, string>} */
  const labels = Object.create(null);
  let at = name.length;
  if (line[at] === '{') {
    at++;
    let first = true;
    while (!(first && line[at] === '}')) {
      first = false;
      LABEL_NAME_AT.lastIndex = at;
      const label = LABEL_NAME_AT.exec(line)?.[0];
      if (label === undefined)
        throw new ExpositionError(number, `expected a label name at column ${at + 1} of ${name}`);
      at += label.length;
      if (line[at] !== '=' || line[at + 1] !== '"')
        throw new ExpositionError(number, `expected ="..." after the label name ${label} of ${name}`);
      at += 2;
      let value = '';
      let from = at;
      for (;;) {
        const char = line[at];
        if (char === undefined)
          throw new ExpositionError(number, `unterminated value of the label ${label} of ${name}`);
        if (char === '"') break;
        if (char !== '\\') {
          at++;
          continue;
        }
        value += line.slice(from, at);
        const next = line[at + 1];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else if (next === undefined)
          throw new ExpositionError(number, `unterminated value of the label ${label} of ${name}`);
        else throw new ExpositionError(number, `bad escape \\${next} in the value of the label ${label} of ${name}`);
        at += 2;
        from = at;
      }
      value += line.slice(from, at);
      at++; // the closing quote
      if (Object.hasOwn(labels, label))
        throw new ExpositionError(number, `the label ${label} twice in a sample of ${name}`);
      labels[label] = value;
      if (line[at] === ',') at++;
      else if (line[at] === '}') break;
      else throw new ExpositionError(number, `expected , or } after the label ${label} of ${name}`);
    }
    at++; // the closing brace
  }
  if (line[at] !== ' ')
    throw new ExpositionError(number, `expected one space and a value after ${name}: ${quote(line)}`);
  const fields = line.slice(at + 1).split(' ');
  const [rawValue = '', rawTimestamp] = fields;
  if (fields.length > 2 || !FLOAT.test(rawValue))
    throw new ExpositionError(number, `bad value of ${name}: ${quote(line.slice(at + 1))}`);
  if (rawTimestamp !== undefined && !TIMESTAMP.test(rawTimestamp))
    throw new ExpositionError(number, `bad timestamp of ${name}: ${quote(rawTimestamp)}`);
  return {
    name,
    labels,
    value: floatOf(rawValue),
    rawValue,
    timestamp: rawTimestamp === undefined ? undefined : Number(rawTimestamp),
    line: number,
  };
}

/**
 * The number a FLOAT is.
 * @param {string} text
 */
function floatOf(text) {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/**
 * The series a sample is of, whatever the order of its labels.
 * @param {Sample} sample
 */
function seriesKey(sample) {
  return JSON.stringify([
    sample.name,
    ...Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
}

/** @param {Readonly<Record<string, string>>} labels */
function labelText(labels) {
  return `{${Object.entries(labels)
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
    .join(',')}}`;
}

/** A line or token for an error message: quoted, and cut when it is long. */
function quote(/** @type {string} */ text) {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
