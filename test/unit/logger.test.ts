/** Log lines people can read: JSON with level names and ISO-8601 times, or logfmt; secrets redacted in both. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/** Everything written, line by line. */
function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { lines, stream };
}

const SECRET = 'S3cret-pw-8d1e';

describe('logger', () => {
  it('writes JSON with "level":"warn" and an ISO-8601 time', () => {
    const { lines, stream } = sink();
    createLogger('info', stream).child({ module: 'poller' }).warn({ organizationId: 'x' }, 'poll failed');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'warn', module: 'poller', organizationId: 'x', msg: 'poll failed' });
    expect(record['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  // A newline in a value becomes the two characters \\n (which logfmt then escapes): a record is always one line.
  it('writes logfmt with time, level and msg first, nested fields dotted, one line per record', () => {
    const { lines, stream } = sink();
    const logger = createLogger('debug', stream, 'logfmt');
    logger.info({ server: 'vb365 main', reason: 'line one\nline two "quoted"', count: 3 }, 'poll cycle finished');
    logger.error({ err: new Error('boom') }, 'crashed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg="poll cycle finished" service=vb365-exporter server="vb365 main" reason="line one\\\\nline two \\"quoted\\"" count=3$/,
    );
    expect(lines[1]).toMatch(/ level=error msg=crashed .*err\.type=Error err\.message=boom err\.stack=/);
  });

  it('redacts passwords, tokens and Authorization headers in both formats', () => {
    for (const format of ['json', 'logfmt'] as const) {
      const { lines, stream } = sink();
      createLogger('info', stream, format).info(
        {
          password: SECRET,
          accessToken: SECRET,
          config: { password: SECRET },
          headers: { authorization: `Bearer ${SECRET}` },
        },
        'careless',
      );
      expect(lines.join('\n')).not.toContain(SECRET);
      expect(lines.join('\n')).toContain('[redacted]');
    }
  });
});
