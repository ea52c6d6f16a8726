// Every string in a run record may come from a user (scenario names, target commands, rule sentences),
// so each output format escapes for its own syntax at the point of writing.

// XML 1.0 forbids most C0 controls even when escaped; drop them rather than write an unreadable file.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** For XML attribute values: also keeps line breaks, which parsers would otherwise fold into spaces. */
export function escapeXmlAttr(text: string): string {
  return escapeXml(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Text inside a Markdown table cell: one line, no pipes, no raw HTML, no accidental emphasis or links. */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, ' ');
}

/**
 * Escapes what Markdown (GFM) would interpret, and only that, so sentences like "peak <= 4" or
 * "connection_max" stay readable in the raw file: tag-like "<", entity-like "&", emphasis and code
 * markers, link brackets, table pipes. Underscores inside words never make emphasis in GFM.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/[`*[\]|#~]/g, '\\$&')
    .replace(/_/g, (m, offset: number, all: string) => (isWordChar(all[offset - 1]) && isWordChar(all[offset + 1]) ? m : '\\_'))
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9]/.test(ch);
}

/** A stable identifier shown as code when that is safe, as escaped text otherwise. */
export function markdownCode(text: string): string {
  return /^[\w.:/@-]+$/.test(text) ? `\`${text}\`` : escapeMarkdownCell(text);
}
