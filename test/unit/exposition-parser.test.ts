/** The strict exposition parser the tests and the bench read /metrics with. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpositionError, parseExposition, type Family } from '../support/exposition-parser.js';
import { sampleValue, samples } from '../support/harness.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden', 'seed-v8.prom');

/** A label value escaped as the format says (written here, not taken from the exporter). */
const escape = (value: string): string => value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));

/** The error parseExposition throws on `text`. */
function errorOf(text: string): ExpositionError {
  try {
    parseExposition(text);
  } catch (error) {
    if (error instanceof ExpositionError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

/** The harness's reader before this parser (verbatim): split at `,name="` and compare the escaped text. */
function oldSampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelEnd = line.lastIndexOf('}');
    const labelText = labelEnd === -1 ? '' : line.slice(name.length + 1, labelEnd);
    result.set(labelText, Number(line.slice(labelEnd === -1 ? name.length + 1 : labelEnd + 2)));
  }
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const found = [...result].filter(([labelText]) =>
    wanted.every((pair) => labelText.split(/,(?=[a-z_]+=")/).includes(pair)),
  );
  return found[0]?.[1];
}

describe('parseExposition', () => {
  it('reads HELP, TYPE and samples into families, in order', () => {
    const text = [
      '# HELP up Whether it is up: a \\\\ and a\\nsecond line, a " as it is.',
      '# TYPE up gauge',
      'up{server="a"} 1',
      'up{server="b"} 0 1700000000000',
      '',
      '# TYPE total counter',
      'total 12.5',
      'bare{} -3e-2',
      'odd:name{_x="",Y2="y"} NaN',
      'odd:name{_x="1"} +Inf',
      'odd:name{_x="2"} -Inf -1',
      '',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map(({ name, help, type }) => ({ name, help, type }))).toEqual([
      { name: 'up', help: 'Whether it is up: a \\ and a\nsecond line, a " as it is.', type: 'gauge' },
      { name: 'total', help: undefined, type: 'counter' },
      { name: 'bare', help: undefined, type: undefined },
      { name: 'odd:name', help: undefined, type: undefined },
    ]);
    expect(families[0]?.samples).toEqual([
      { name: 'up', labels: { server: 'a' }, value: 1, rawValue: '1', timestamp: undefined, line: 3 },
      { name: 'up', labels: { server: 'b' }, value: 0, rawValue: '0', timestamp: 1700000000000, line: 4 },
    ]);
    expect(families[1]?.samples[0]).toMatchObject({ labels: {}, value: 12.5 });
    expect(families[2]?.samples[0]).toMatchObject({ labels: {}, value: -0.03 });
    const odd = families[3]?.samples ?? [];
    expect(odd.map((sample) => [sample.labels, sample.value, sample.timestamp])).toEqual([
      [{ _x: '', Y2: 'y' }, NaN, undefined],
      [{ _x: '1' }, Infinity, undefined],
      [{ _x: '2' }, -Infinity, -1],
    ]);
  });

  it('keeps the suffixed samples of histograms and summaries in their family', () => {
    const text = [
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 0.3',
      'h_count 2',
      '# TYPE s summary',
      's{quantile="0.5"} 0.1',
      's_sum 1',
      's_count 4',
      'h_total 1',
      '',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map((family) => [family.name, family.samples.map((sample) => sample.name)])).toEqual([
      ['h', ['h_bucket', 'h_bucket', 'h_sum', 'h_count']],
      ['s', ['s', 's_sum', 's_count']],
      ['h_total', ['h_total']],
    ]);
  });

  it("reads values as Go's ParseFloat does, which the format refers to (prom-client writes Nan)", () => {
    const values = ['Nan', 'nan', 'Inf', 'inf', '+infinity', '-Infinity', '1.', '.5', '-0', '01', '1E+3', '2e-3'];
    const text = values.map((value, index) => `v{i="${index}"} ${value}\n`).join('');
    expect(parseExposition(text)[0]?.samples.map((sample) => sample.value)).toEqual([
      NaN,
      NaN,
      Infinity,
      Infinity,
      Infinity,
      -Infinity,
      1,
      0.5,
      -0,
      1,
      1000,
      0.002,
    ]);
  });

  it('reads an empty text and ignores empty lines', () => {
    expect(parseExposition('')).toEqual([]);
    expect(parseExposition('\n\n')).toEqual([]);
  });

  it('gives labels as an object without prototype, so any label name is only a label', () => {
    const [sample] = parseExposition('x{__proto__="p",constructor="c"} 1\n')[0]?.samples ?? [];
    expect(Object.getPrototypeOf(sample?.labels)).toBeNull();
    expect(Object.keys(sample?.labels ?? {})).toEqual(['__proto__', 'constructor']);
    expect(parseExposition('x{a="1"} 1\n')[0]?.samples[0]?.labels['constructor']).toBeUndefined();
  });
});

describe('escaped label values', () => {
  const nasty = ['Repo "Nord" \\ München', 'a\\nb (a backslash and an n)', 'two\nlines', '\\', '"', '\\"', 'x\\'];

  it('round-trip exactly, each escape and their mixes', () => {
    for (const value of nasty) {
      const text = `info{name="${escape(value)}",after="ok"} 1\n`;
      expect(parseExposition(text)[0]?.samples[0]?.labels).toEqual({ name: value, after: 'ok' });
    }
  });

  it('round-trip exactly, whatever the string', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }), (values) => {
        const labels = values.map((value, index) => `l${index}="${escape(value)}"`).join(',');
        const parsed = parseExposition(`m{${labels}} 1\n`)[0]?.samples[0]?.labels;
        expect(Object.values(parsed ?? {})).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('are found, where the old regex reader of the harness missed them', () => {
    const text = nasty
      .map((value, index) => `info{server="sim",label2="${index}",name="${escape(value)}"} ${index}\n`)
      .join('');
    const parsed = parseExposition(text)[0]?.samples ?? [];
    expect(parsed.map((sample) => sample.labels['name'])).toEqual(nasty);
    for (const [index, value] of nasty.entries()) {
      // The old reader compared `name="<raw value>"` to the escaped text, and split the labels at
      // `,name="` only for names of [a-z_]: neither a value with \, " or a newline nor label2 was found.
      expect(oldSampleValue(text, 'info', { server: 'sim', name: value })).toBe(
        escape(value) === value ? index : undefined,
      );
      expect(oldSampleValue(text, 'info', { server: 'sim', label2: String(index) })).toBeUndefined();
      expect(parsed.find((sample) => sample.labels['name'] === value)?.value).toBe(index);
      expect(parsed.find((sample) => sample.labels['label2'] === String(index))?.value).toBe(index);
    }
  });
});

describe('the harness helpers on the parser', () => {
  const text = [
    '# TYPE info gauge',
    'info{server="sim",label2="0",name="Repo \\"Nord\\" \\\\ München"} 1',
    'info{server="sim",label2="1",name="two\\nlines"} 2',
    '# TYPE h histogram',
    'h_bucket{le="+Inf"} 3',
    'h_count 3',
    '',
  ].join('\n');

  it('sampleValue() finds a sample by its unescaped label values, and only one', () => {
    expect(sampleValue(text, 'info', { server: 'sim', name: 'Repo "Nord" \\ München' })).toBe(1);
    expect(sampleValue(text, 'info', { name: 'two\nlines' })).toBe(2);
    expect(sampleValue(text, 'info', { label2: '1' })).toBe(2);
    expect(sampleValue(text, 'info', { name: 'Repo \\"Nord\\" \\\\ München' })).toBeUndefined(); // escaped: not a value
    expect(sampleValue(text, 'info', { server: 'other' })).toBeUndefined();
    expect(() => sampleValue(text, 'info', { server: 'sim' })).toThrow(/2 samples of info match/);
  });

  it('samples() gives the samples of one name, histogram samples by their own names', () => {
    expect(samples(text, 'info').map((sample) => sample.labels['label2'])).toEqual(['0', '1']);
    expect(samples(text, 'h_count').map((sample) => sample.value)).toEqual([3]);
    expect(samples(text, 'h')).toEqual([]);
    expect(samples(text, 'missing')).toEqual([]);
  });

  it('fail on malformed text', () => {
    expect(() => samples(`${text}info{server="sim",label2="0",name="x} 1\n`, 'info')).toThrow(/^line 7: unterminated/);
    expect(() => sampleValue(`${text}info 1\n`, 'info', {})).toThrow(/^line 7: the lines of info are not contiguous/);
  });
});

describe('malformed exposition', () => {
  const ok = '# HELP up Up.\n# TYPE up gauge\nup{server="a"} 1\n';
  // [what, text, line of the error, message]
  const cases: ReadonlyArray<readonly [string, string, number, RegExp]> = [
    ['an unterminated label value', `${ok}x{a="b} 1\n`, 4, /unterminated value of the label a of x/],
    ['a label value cut by a raw newline', `${ok}x{a="b\nc"} 1\n`, 4, /unterminated value of the label a/],
    ['a label value ending in a lone backslash', `${ok}x{a="b\\\n`, 4, /unterminated value of the label a/],
    ['an unknown escape in a label value', `${ok}x{a="b\\x"} 1\n`, 4, /bad escape \\x in the value of the label a/],
    ['an unescaped quote in a label value', `${ok}x{a="b"c"} 1\n`, 4, /expected , or } after the label a/],
    ['an escaped quote in HELP', `${ok}# HELP x a \\"b\\"\n`, 4, /bad escape \\" in HELP text/],
    ['a lone backslash ending HELP', `${ok}# HELP x a\\\n`, 4, /lone backslash/],
    ['a label name twice', `${ok}x{a="1",b="2",a="3"} 1\n`, 4, /the label a twice in a sample of x/],
    ['a bad metric name', `${ok}1x 1\n`, 4, /without a metric name/],
    ['a bad metric name in HELP', `${ok}# HELP 1x y\n`, 4, /bad metric name in HELP line/],
    ['a bad label name', `${ok}x{1a="1"} 1\n`, 4, /expected a label name at column 3 of x/],
    ['a trailing comma in the label set', `${ok}x{a="1",} 1\n`, 4, /expected a label name/],
    ['a label without a quoted value', `${ok}x{a=1} 1\n`, 4, /expected ="..." after the label name a/],
    ['no value', `${ok}x{a="1"}\n`, 4, /expected one space and a value after x/],
    ['a value that is not a number', `${ok}x 1O\n`, 4, /bad value of x: "1O"/],
    ['a signed NaN', `${ok}x +NaN\n`, 4, /bad value of x/],
    ['a cut Infinity', `${ok}x -Infin\n`, 4, /bad value of x/],
    ['digits separated by an underscore', `${ok}x 1_000\n`, 4, /bad value of x/],
    ['a hexadecimal value', `${ok}x 0x10\n`, 4, /bad value of x/],
    ['two spaces before the value', `${ok}x  1\n`, 4, /bad value of x/],
    ['a blank at the start of a line', `${ok} x 1\n`, 4, /without a metric name/],
    ['a blank at the end of a line', `${ok}x 1 \n`, 4, /bad timestamp of x: ""/],
    ['a timestamp that is not an integer', `${ok}x 1 1.5\n`, 4, /bad timestamp of x: "1.5"/],
    ['a third field', `${ok}x 1 2 3\n`, 4, /bad value of x: "1 2 3"/],
    ['no newline after the last line', `${ok}x 1`, 4, /the last line does not end with a newline/],
    ['a comment that is not HELP or TYPE', `${ok}# a comment\n`, 4, /a comment line other than # HELP or # TYPE/],
    ['an unknown type', `${ok}# TYPE x gauges\n`, 4, /bad type for x: "gauges"/],
    ['a second HELP line', `${ok}# HELP up Again.\n`, 4, /a second HELP line for up/],
    ['a second TYPE line', '# TYPE up gauge\n# TYPE up gauge\n', 2, /a second TYPE line for up/],
    [
      'a TYPE line after the samples',
      `up 1\nup{a="1"} 2\n# TYPE up gauge\n`,
      3,
      /TYPE line of up comes after its sample up at line 1/,
    ],
    [
      'a histogram TYPE line after its buckets',
      'h_bucket{le="1"} 1\n# TYPE h histogram\n',
      2,
      /TYPE line of h comes after its sample h_bucket at line 1/,
    ],
    [
      'samples of a family not contiguous',
      `${ok}x 1\nup{server="b"} 1\n`,
      5,
      /lines of up are not contiguous: its block ended at line 3/,
    ],
    ['HELP of a family after another family', `${ok}x 1\n# HELP up Again.\n`, 5, /lines of up are not contiguous/],
    [
      'histogram samples not contiguous',
      '# TYPE h histogram\nh_count 1\nx 1\nh_sum 2\n',
      4,
      /lines of h are not contiguous: its block ended at line 2/,
    ],
    [
      'the same series twice',
      `${ok}up{server="b"} 1\nup{server="a"} 2\n`,
      5,
      /the series up\{server="a"\} appears twice/,
    ],
    ['the same series twice, labels in another order', `x{a="1",b="2"} 1\nx{b="2",a="1"} 1\n`, 2, /appears twice/],
    ['the same series twice, without labels', 'x 1\nx{} 2\n', 2, /the series x\{\} appears twice/],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{a="1"} 1\n', 2, /h_bucket has no le label/],
    [
      'a bucket whose le is not a number',
      '# TYPE h histogram\nh_bucket{le="big"} 1\n',
      2,
      /le label of h_bucket is not a number/,
    ],
    ['a quantile without quantile', '# TYPE s summary\ns 1\n', 2, /s has no quantile label/],
    ['a histogram sample without suffix', '# TYPE h histogram\nh 1\n', 2, /a sample named h in the histogram h/],
  ];

  it.each(cases)('throws on %s, naming its line', (_what, text, line, message) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    expect(error.message).toMatch(message);
  });
});

describe('the golden file', () => {
  // Values that change from run to run are `<varies>` in the golden file: a number stands in for them.
  const golden = readFileSync(GOLDEN, 'utf8');
  const families: Family[] = parseExposition(golden.replaceAll(/ <varies>$/gm, ' 0'));

  it('parses, every family with HELP and TYPE', () => {
    // 10 of the storage facts, 26 of the jobs and the organizations' last backups.
    expect(golden.match(/ <varies>$/gm)).toHaveLength(36);
    expect(families).toHaveLength(golden.match(/^# HELP /gm)?.length ?? 0);
    for (const family of families) {
      expect(family.help, family.name).toMatch(/\S/);
      expect(['gauge', 'counter'], family.name).toContain(family.type);
    }
    const sampleLines = golden.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(families.flatMap((family) => family.samples)).toHaveLength(sampleLines.length);
  });

  it('holds the escaped repository name exactly', () => {
    const info = families.find((family) => family.name === 'veeam_vb365_repository_info')?.samples ?? [];
    expect(info.map((sample) => sample.labels['repository_name'])).toContain('Repo "Nord" \\ München');
    expect(info.every((sample) => sample.value === 1)).toBe(true);
  });
});
