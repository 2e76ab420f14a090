/** Label values as the text exposition format escapes them: backslash, newline and double quote. */
const NEEDS_ESCAPE = /[\\\n"]/;

export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `,name="value"`: one more label after the ones a family writes itself, escaped. */
export function label(name: string, value: string): string {
  return `,${name}="${escapeLabelValue(value)}"`;
}
