/**
 * HTML answers (as published FAQ pages hold them) to the knowledge base's answer text: plain paragraphs,
 * "- " lists, "1. " steps, table rows as "cell | cell" lines and links as "text (URL)", readable on
 * every channel, including the plain-text ones (WeChat, Telegram, SMS-like media).
 */
import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';

/** Tags that make a text HTML rather than plain text with a stray "<". */
const HTML_TAG = /<\/?(?:a|p|br|div|span|table|tr|td|th|ol|ul|li|strong|b|u|i|em|img|font|h[1-6]|html|body|blockquote|center)\b[^<>]*>/i;
/** Block-level tags: without any of them, the line breaks of the source are the only structure. */
const BLOCK_TAG = /<(?:p|br|div|li|tr|table|h[1-6]|blockquote)\b/i;

export interface HtmlAnswerOptions {
  /** Base for relative links and images ("/ct.asp?x=1"); without it, their text is kept and the address dropped. */
  baseUrl?: string;
}

/** True when the text holds HTML markup. */
export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

/** The answer text for an HTML or plain-text answer; entities decoded, blank lines collapsed. */
export function answerText(source: string, options: HtmlAnswerOptions = {}): string {
  const text = looksLikeHtml(source) ? htmlToText(source, options) : source;
  return tidy(text);
}

function htmlToText(html: string, options: HtmlAnswerOptions): string {
  const settings: HtmlToTextOptions = {
    wordwrap: false,
    preserveNewlines: !BLOCK_TAG.test(html),
    formatters: { rowsTable, altImage, visibleLink },
    selectors: [
      { selector: 'a', format: 'visibleLink', options: { baseUrl: options.baseUrl } },
      { selector: 'img', format: 'altImage', options: { baseUrl: options.baseUrl } },
      { selector: 'ul', options: { itemPrefix: '- ' } },
      { selector: 'table', format: 'rowsTable', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } },
      ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({ selector: h, options: { uppercase: false } })),
    ],
  };
  return convert(html, settings);
}

/**
 * An http(s) address for a link target, resolved against `baseUrl` when relative; an e-mail address (the
 * caller removed "mailto:") as it is; null for anything else (javascript:, data:, relative without a base).
 */
function absoluteUrl(href: string, baseUrl: string | undefined | null): string | null {
  const trimmed = href.trim();
  if (/^[^\s@:/]+@[^\s@:/]+$/.test(trimmed)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^https?:/i.test(trimmed)) return null;
  try {
    const url = baseUrl ? new URL(trimmed, baseUrl) : new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link as "text (URL)", or the bare URL when the text already shows it; links to nowhere useful keep their text only. */
const visibleLink: FormatCallback = (elem, walk, builder, formatOptions) => {
  const href = absoluteUrl(elem.attribs?.href?.replace(/^\s*mailto:/i, '') ?? '', formatOptions.baseUrl);
  if (!href) {
    walk(elem.children, builder);
    return;
  }
  let text = '';
  builder.pushWordTransform((word) => {
    text += word;
    return word;
  });
  walk(elem.children, builder);
  builder.popWordTransform();
  const bare = (s: string): string => s.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  if (!text.trim()) builder.addInline(href, { noWordTransform: true });
  else if (!bare(text).includes(bare(href))) builder.addInline(` (${href})`, { noWordTransform: true });
};

/** A table as one line per row, cells separated by " | "; a row with a single cell keeps its own line breaks. */
const rowsTable: FormatCallback = (elem, walk, builder, formatOptions) => {
  builder.openTable();
  const visit = (node: typeof elem): void => {
    if (node.type !== 'tag') return;
    if (['thead', 'tbody', 'tfoot', 'center'].includes(node.name ?? '')) {
      for (const child of node.children ?? []) visit(child);
    } else if (node.name === 'caption') {
      builder.openTableRow();
      builder.openTableCell();
      walk(node.children, builder);
      builder.closeTableCell();
      builder.closeTableRow();
    } else if (node.name === 'tr') {
      builder.openTableRow();
      for (const cell of node.children ?? []) {
        if (cell.type !== 'tag' || (cell.name !== 'td' && cell.name !== 'th')) continue;
        builder.openTableCell();
        walk(cell.children, builder);
        builder.closeTableCell();
      }
      builder.closeTableRow();
    }
  };
  for (const child of elem.children ?? []) visit(child);
  builder.closeTable({
    tableToString: (rows) =>
      rows
        .map((cells) => {
          const texts = cells.map((c) => c.text.trim()).filter((t) => t !== '');
          return texts.length === 1 ? texts[0]! : texts.map((t) => t.replace(/\s*\n+\s*/g, ' ')).join(' | ');
        })
        .filter((line) => line !== '')
        .join('\n'),
    leadingLineBreaks: formatOptions.leadingLineBreaks ?? 2,
    trailingLineBreaks: formatOptions.trailingLineBreaks ?? 2,
  });
};

/** An image as its alt text, with its address when that is an absolute web address. */
const altImage: FormatCallback = (elem, _walk, builder, formatOptions) => {
  const alt = (elem.attribs?.alt ?? '').trim();
  const src = absoluteUrl(elem.attribs?.src ?? '', formatOptions.baseUrl);
  const text = [alt, src ? (alt ? `(${src})` : src) : ''].filter(Boolean).join(' ');
  if (text) builder.addInline(text, { noWordTransform: true });
};

/**
 * Trailing spaces and runs of blank lines removed; a web address directly followed by a non-ASCII character
 * ("https://a.gov.tw/，請…") gets a space after it, so that the apps that make addresses clickable stop there.
 */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(/(https?:\/\/[\x21-\x7e]+)(?=[^\p{ASCII}])/gu, (url) => (url.endsWith(')') ? url : `${url} `))
    .replace(/[ \t\u3000]+$/gm, '')
    // html-to-text indents the numbers of a top-level ordered list by one space (" 1. "); steps start at the margin.
    .replace(/^ (?=\d+\. )/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
