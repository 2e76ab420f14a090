/** Credentials quoted back by a server are removed before the text reaches logs or the status page. */
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/vb365/redact.js';

describe('redactSecrets', () => {
  it('removes each secret as sent, URL-encoded and base64-encoded', () => {
    const secret = 'p&ss word/+';
    const text = `bad form password=${encodeURIComponent(secret)} or ${new URLSearchParams({ p: secret }).toString()} raw ${secret} basic ${Buffer.from(secret).toString('base64')}`;
    const cleaned = redactSecrets(text, [secret]);
    expect(cleaned).toBe('bad form password=[redacted] or p=[redacted] raw [redacted] basic [redacted]');
  });

  it('leaves text without secrets alone and ignores secrets too short to search for', () => {
    expect(redactSecrets('The user name or password is incorrect.', ['hunter2', 'ab'])).toBe(
      'The user name or password is incorrect.',
    );
  });
});
