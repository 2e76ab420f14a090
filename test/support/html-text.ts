/** Reading the status page's HTML as text, without a browser: what a browser would show between the tags. */

/** Decodes character references once (so `&amp;lt;` is the text `&lt;`, as a browser shows it). */
export function decodeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(
    /&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi,
    (reference, decimal?: string, hex?: string, name?: string) => {
      if (decimal !== undefined) return String.fromCodePoint(Number(decimal));
      if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
      return named[name?.toLowerCase() ?? ''] ?? reference;
    },
  );
}

/** The cells of a table row's HTML, their tags dropped (a <br> as a newline) and their text decoded. */
export function cellTexts(rowHtml: string): string[] {
  return [...rowHtml.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((match) =>
    decodeHtml((match[1] ?? '').replace(/<br>/g, '\n').replace(/<[^>]*>/g, '')),
  );
}

/** The HTML of the one element that starts with `openingTag` up to its `closingTag` (not nested). */
export function elementHtml(html: string, openingTag: string, closingTag: string): string {
  const start = html.indexOf(openingTag);
  if (start < 0) throw new Error(`no ${openingTag} in the page`);
  if (html.indexOf(openingTag, start + 1) >= 0) throw new Error(`more than one ${openingTag} in the page`);
  const end = html.indexOf(closingTag, start);
  if (end < 0) throw new Error(`${openingTag} is not closed by ${closingTag}`);
  return html.slice(start, end + closingTag.length);
}
