import { MalformedRequest } from './errors.ts';
import { encodedOnce } from './encoded-once.ts';
import type { RpcStruct, RpcValue } from './values.ts';
import { readXml, type XmlElement } from './xml-reader.ts';

export interface MethodCall {
  readonly method: string;
  readonly params: RpcValue[];
}

const METHOD_NAME = /^[A-Za-z0-9_.:/]{1,128}$/;
const INT = /^[+-]?\d{1,10}$/;
const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;

const invalid = (message: string): never => {
  throw new MalformedRequest('invalid', `not an XML-RPC methodCall: ${message}`);
};

/** Decodes a methodCall, strictly: the value types XAPI clients send, and nothing else. */
export function decodeMethodCall(xml: string): MethodCall {
  const root = readXml(xml);
  if (root.name !== 'methodCall') invalid(`the root element is <${root.name}>`);
  const [nameElement, params, ...rest] = containerOf(root);
  if (nameElement?.name !== 'methodName' || rest.length > 0 || (params && params.name !== 'params')) {
    invalid('expected <methodName> then an optional <params>');
  }
  const method = leafText(nameElement!).trim();
  if (!METHOD_NAME.test(method))
    invalid('the method name is empty, too long or has characters outside A-Z a-z 0-9 _ . : /');
  return { method, params: params ? containerOf(params).map(paramValue) : [] };
}

function paramValue(param: XmlElement): RpcValue {
  const [value, ...rest] = param.name === 'param' ? containerOf(param) : invalid(`<${param.name}> inside <params>`);
  if (value?.name !== 'value' || rest.length > 0) invalid('a <param> holds exactly one <value>');
  return decodeValue(value!);
}

function decodeValue(value: XmlElement): RpcValue {
  if (value.children.length === 0) return value.text;
  const [typed, ...rest] = containerOf(value);
  if (!typed || rest.length > 0) return invalid('a <value> holds one typed element');
  switch (typed.name) {
    case 'string':
      return leafText(typed);
    case 'int':
    case 'i4': {
      const text = leafText(typed).trim();
      const number = Number(text);
      if (!INT.test(text) || number < -(2 ** 31) || number >= 2 ** 31)
        invalid(`<${typed.name}>${text}</${typed.name}> is not a 32-bit integer`);
      return number;
    }
    case 'boolean': {
      const text = leafText(typed).trim();
      if (text !== '0' && text !== '1') invalid(`<boolean>${text}</boolean> is neither 0 nor 1`);
      return text === '1';
    }
    case 'double': {
      const text = leafText(typed).trim();
      if (!DOUBLE.test(text) || !Number.isFinite(Number(text))) invalid(`<double>${text}</double> is not a number`);
      return Number(text);
    }
    case 'nil':
      if (leafText(typed) !== '') invalid('<nil/> holds nothing');
      return null;
    case 'array': {
      const [data, ...more] = containerOf(typed);
      if (data?.name !== 'data' || more.length > 0) invalid('an <array> holds exactly one <data>');
      return containerOf(data!).map((item) =>
        item.name === 'value' ? decodeValue(item) : invalid(`<${item.name}> inside <data>`),
      );
    }
    case 'struct':
      return decodeStruct(typed);
    default:
      return invalid(`<${typed.name}> is not a supported value type`);
  }
}

function decodeStruct(struct: XmlElement): RpcStruct {
  // No prototype: a member named __proto__ stays a plain member.
  const members: Record<string, RpcValue> = Object.create(null);
  for (const member of containerOf(struct)) {
    const [name, value, ...rest] =
      member.name === 'member' ? containerOf(member) : invalid(`<${member.name}> inside <struct>`);
    if (name?.name !== 'name' || value?.name !== 'value' || rest.length > 0)
      invalid('a <member> holds <name> then <value>');
    const key = leafText(name!);
    if (Object.hasOwn(members, key)) invalid(`the struct has member ${JSON.stringify(key)} twice`);
    members[key] = decodeValue(value!);
  }
  return members;
}

function containerOf(element: XmlElement): XmlElement[] {
  if (element.text.trim() !== '') invalid(`<${element.name}> holds text beside its elements`);
  return element.children;
}

function leafText(element: XmlElement): string {
  if (element.children.length > 0) invalid(`<${element.name}> holds elements`);
  return element.text;
}

// Nothing between the declaration and the root: Xen Orchestra's parser fails on the text node a newline makes.
const RESPONSE_HEAD = '<?xml version="1.0"?><methodResponse>';

export function encodeResponse(value: RpcValue): string {
  return encodeResponseXml(encodeValue(value));
}

const encodeResponseXml = (valueXml: string) =>
  `${RESPONSE_HEAD}<params><param>${valueXml}</param></params></methodResponse>\n`;

const valueXml = encodedOnce((value) => encodeValue(value));

/** XAPI's answer to a call that succeeded, `{Status: Success, Value}`, its value encoded once for every call it answers. */
export function encodeSuccess(value: RpcValue): string {
  const status = '<member><name>Status</name><value>Success</value></member>';
  return encodeResponseXml(
    `<value><struct>${status}<member><name>Value</name>${valueXml(value)}</member></struct></value>`,
  );
}

export function encodeFault(faultCode: number, faultString: string): string {
  return `${RESPONSE_HEAD}<fault>${encodeValue({ faultCode, faultString })}</fault></methodResponse>\n`;
}

export function encodeValue(value: RpcValue): string {
  if (value === null) return '<value><nil/></value>';
  // Bare, as XAPI writes strings: Xen Orchestra's parser reads an empty <string></string> as no value at all.
  if (typeof value === 'string') return `<value>${escape(value)}</value>`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'number') {
    return Number.isInteger(value) ? `<value><int>${value}</int></value>` : `<value><double>${value}</double></value>`;
  }
  if (isArray(value)) return `<value><array><data>${value.map(encodeValue).join('')}</data></array></value>`;
  const members = Object.entries(value).map(
    ([name, member]) => `<member><name>${escape(name)}</name>${encodeValue(member)}</member>`,
  );
  return `<value><struct>${members.join('')}</struct></value>`;
}

const isArray = (value: RpcValue): value is readonly RpcValue[] => Array.isArray(value);

// Characters XML cannot carry at all become U+FFFD, so a device name can never break the document.
const NOT_XML = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function escape(text: string): string {
  return text
    .replace(NOT_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}
