/** A small parser of Prometheus text exposition: enough to count series and rebuild them elsewhere. */

/** Families in order: `{name, help, type, samples: [{labels: {name: value}, value}]}`. */
export function parseExposition(text) {
  const families = new Map();
  const family = (name) => {
    let found = families.get(name);
    if (found === undefined) families.set(name, (found = { name, help: '', type: 'untyped', samples: [] }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      family(name).help = help.join(' ').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    } else if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      family(name).type = type;
    } else if (!line.startsWith('#')) {
      const sample = parseSample(line);
      family(sample.name).samples.push(sample);
    }
  }
  return [...families.values()];
}

/** `name{a="x",b="y\"z"} 12` -> `{name, labels: {a: 'x', b: 'y"z'}, value: 12}`. */
export function parseSample(line) {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace === -1 || (space !== -1 && space < brace))
    return { name: line.slice(0, space), labels: {}, value: Number(line.slice(space + 1)) };
  const labels = {};
  let at = brace + 1;
  while (line[at] !== '}') {
    const equals = line.indexOf('="', at);
    const name = line.slice(at, equals);
    let value = '';
    for (at = equals + 2; line[at] !== '"'; at++) {
      if (line[at] === '\\') {
        at++;
        value += line[at] === 'n' ? '\n' : line[at];
      } else value += line[at];
    }
    labels[name] = value;
    at++; // closing quote
    if (line[at] === ',') at++;
  }
  return { name: line.slice(0, brace), labels, value: Number(line.slice(at + 2)) };
}

/** Label sets (as sorted `k=v` strings) of one family's samples in exposition text, read line by line. */
export function seriesOf(text, name) {
  const prefix = `${name}{`;
  const series = [];
  for (const line of text.split('\n')) if (line.startsWith(prefix)) series.push(parseSample(line).labels);
  return series;
}
