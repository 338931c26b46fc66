import { parse } from 'yaml';
import { badDocument } from './document.ts';

/**
 * A document's text, YAML or JSON (YAML holds JSON), read as plain data:
 * no tags beyond YAML's core schema (no `!!binary`, no `!!set`), a key given
 * twice refused, and alias bombs refused before they grow. Anything it cannot read is a bad document.
 */
export function readDocumentText(text: string): unknown {
  try {
    return parse(text, { resolveKnownTags: false, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    throw badDocument('', `is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}
