/**
 * Fails when a tracked file still holds a merge's conflict markers (`<<<<<<< ` or `>>>>>>> ` at the start
 * of a line): prettier reads them as text in Markdown and YAML, so nothing else in `npm run lint` notices.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import process from 'node:process';

const MARKER = /^(<{7}|>{7}) /m;
const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
const marked = files.filter((file) => {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // listed but deleted in the work tree
  }
  return !text.includes('\0') && MARKER.test(text);
});
if (marked.length > 0) {
  process.stderr.write(`merge conflict markers left in: ${marked.join(', ')}\n`);
  process.exit(1);
}
