import { MalformedRequest } from './errors.ts';

/** An element of the strict XML subset XML-RPC uses: no attributes, no mixed markup. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** All the character data directly inside, entities decoded. */
  text: string;
}

const MAX_DEPTH = 64;
const PROLOG = /^\uFEFF?\s*(?:<\?xml(?:\s[^?<>]*)?\?>)?/y;
const TAG = /<(\/?)([A-Za-z_][\w.-]*)\s*(\/?)>/y;
const TEXT = /[^<]+/y;
const REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));|&[^;\s&<]{0,12};?/g;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const fail = (message: string): never => {
  throw new MalformedRequest('parse', `not well-formed XML: ${message}`);
};

/**
 * Reads one document into an element tree. DOCTYPE, entity declarations,
 * comments, CDATA and processing instructions are refused outright, so no
 * entity expansion can ever happen; depth is bounded, and size by the body limit.
 */
export function readXml(source: string): XmlElement {
  const control = CONTROL.exec(source);
  if (control) fail(`a control character that XML does not allow (offset ${control.index})`);
  PROLOG.lastIndex = 0;
  PROLOG.exec(source);
  let at = PROLOG.lastIndex;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (at < source.length) {
    if (source.startsWith('<!', at) || source.startsWith('<?', at)) {
      fail(`markup declarations, comments, CDATA and processing instructions are refused (offset ${at})`);
    }
    const parent = stack[stack.length - 1];
    if (source[at] !== '<') {
      TEXT.lastIndex = at;
      const text = TEXT.exec(source)![0];
      if (parent) parent.text += decode(text);
      else if (text.trim() !== '') fail(`text outside the root element (offset ${at})`);
      at = TEXT.lastIndex;
      continue;
    }
    TAG.lastIndex = at;
    const tag = TAG.exec(source) ?? fail(`a tag that is malformed or has attributes (offset ${at})`);
    const [, closing, name = '', empty] = tag;
    at = TAG.lastIndex;
    if (closing) {
      if (empty || parent?.name !== name)
        fail(`</${name}> does not close <${parent?.name ?? 'nothing'}> (offset ${at})`);
      stack.pop();
      continue;
    }
    if (root && stack.length === 0) fail(`a second root element <${name}>`);
    if (stack.length >= MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
    const element: XmlElement = { name, children: [], text: '' };
    if (parent) parent.children.push(element);
    else root = element;
    if (!empty) stack.push(element);
  }
  if (!root) return fail('no root element');
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  return root;
}

function decode(text: string): string {
  return text.replace(REFERENCE, (reference, hex?: string, decimal?: string, named?: string) => {
    if (named) return NAMED[named]!;
    const code = hex ? parseInt(hex, 16) : decimal ? parseInt(decimal, 10) : -1;
    if (!isXmlChar(code)) fail(`an unknown or invalid reference ${JSON.stringify(reference)}`);
    return String.fromCodePoint(code);
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
