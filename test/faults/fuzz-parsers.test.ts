import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import {
  coveredDevices,
  editHideList,
  explicitHideList,
  formatHideList,
  parseHideList,
  type HideList,
} from '../../domain/hide-list.ts';
import { hideListOf, parseKernelCmdline, type KernelParameter } from '../../domain/kernel-cmdline.ts';
import { comparePciAddresses, parsePciAddress, type PciAddress } from '../../domain/pci-address.ts';

const test = suite('fuzz: address, hide list and command line parsers');

const RUNS = { numRuns: 2000 };
const CANONICAL = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

const hex = (digits: number, max = 16 ** digits - 1) =>
  fc.integer({ min: 0, max }).map((n) => n.toString(16).padStart(digits, '0'));

/** A canonical address, split so that its spellings can be built from the parts. */
const addressParts = fc.record({ domain: hex(4), bus: hex(2), device: hex(2, 0x1f), fn: hex(1, 7) });
const devicesOf = (list: HideList, known: readonly PciAddress[] = []) =>
  [...coveredDevices(list, known)].sort(comparePciAddresses);
const canonicalAddress = addressParts.map(
  ({ domain, bus, device, fn }) => `${domain}:${bus}:${device}.${fn}` as PciAddress,
);

/** Each character upper- or lower-cased by a coin toss. */
const mixedCaseOf = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

/** A valid address in any spelling (long or, in domain 0000, short; any case), with its canonical form. */
const spelled = fc
  .tuple(addressParts, fc.boolean())
  .map(([p, zero]) => (zero ? { ...p, domain: '0000' } : p))
  .chain((p) => {
    const long = `${p.domain}:${p.bus}:${p.device}.${p.fn}`;
    const short = `${p.bus}:${p.device}.${p.fn}`;
    return fc
      .oneof(mixedCaseOf(long), p.domain === '0000' ? mixedCaseOf(short) : mixedCaseOf(long))
      .map((text) => ({ text, canonical: long as PciAddress }));
  });

/** Any string: unicode, control characters, lone characters of an address, near misses, very long ones. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFgG:.()- \t\n\u0000'), maxLength: 16 }),
  fc.stringMatching(/^[0-9a-fA-F]{0,5}:?[0-9a-fA-F]{1,3}:[0-9a-fA-F]{1,3}\.[0-9a-fA-F]{1,2}$/),
  fc.stringMatching(/^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-2][0-9a-fA-F]\.[0-9]$/),
  spelled.map((s) => s.text),
  canonicalAddress.chain((a) =>
    fc
      .tuple(fc.string({ unit: 'binary', maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 3 }))
      .map(([x, y]) => `${x}${a}${y}`),
  ),
  fc.string({ unit: 'binary', minLength: 1000, maxLength: 20_000 }),
);

/** Runs `parse` and checks that it either succeeds or fails with invalid_input, nothing else. */
function parsesOrRejects<T>(parse: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    assert.instance(error, PassthruError, `threw ${String(error)}`);
    assert.is((error as PassthruError).kind, 'invalid_input');
    assert.type((error as PassthruError).message, 'string');
    return { ok: false };
  }
}

test('given any canonical address, when its long, short, upper and mixed case spellings are parsed, then each gives the canonical form', () => {
  fc.assert(
    fc.property(
      addressParts.chain((parts) => {
        const long = `${parts.domain}:${parts.bus}:${parts.device}.${parts.fn}`;
        return fc.record({ parts: fc.constant(parts), long: fc.constant(long), mixed: mixedCaseOf(long) });
      }),
      ({ parts, long, mixed }) => {
        assert.is(parsePciAddress(long), long);
        assert.is(parsePciAddress(long.toUpperCase()), long);
        assert.is(parsePciAddress(mixed), long);
        const short = `${parts.bus}:${parts.device}.${parts.fn}`;
        const canonicalShort = `0000:${short}`;
        assert.is(parsePciAddress(short), canonicalShort);
        assert.is(parsePciAddress(short.toUpperCase()), canonicalShort);
        assert.is(parsePciAddress(mixed.slice(5)), canonicalShort);
      },
    ),
    RUNS,
  );
});

test('given any canonical address, when parsed again, then it is unchanged (idempotent)', () => {
  fc.assert(
    fc.property(canonicalAddress, (address) => {
      const once = parsePciAddress(address);
      assert.is(parsePciAddress(once), once);
      assert.is(once, address);
    }),
    RUNS,
  );
});

test('given any string, when parsed as an address, then it is a canonical address that re-parses to itself, or an invalid_input error', () => {
  fc.assert(
    fc.property(anyString, (input) => {
      const outcome = parsesOrRejects(() => parsePciAddress(input));
      if (!outcome.ok) return;
      assert.match(outcome.value, CANONICAL);
      assert.is(parsePciAddress(outcome.value), outcome.value);
      const lower = input.toLowerCase();
      assert.is(outcome.value, lower.length === 7 ? `0000:${lower}` : lower);
    }),
    RUNS,
  );
});

test('given any set of canonical addresses, when formatted then parsed as a hide list, then it gives the sorted unique set', () => {
  fc.assert(
    fc.property(fc.array(canonicalAddress, { maxLength: 40 }), (addresses) => {
      const expected = [...new Set(addresses)].sort(comparePciAddresses);
      const formatted = formatHideList(explicitHideList(addresses));
      assert.is(formatted, expected.map((a) => `(${a})`).join(''));
      assert.equal(devicesOf(parseHideList(formatted)), expected);
      assert.is(formatHideList(parseHideList(formatted)), formatted);
    }),
    RUNS,
  );
});

test('given any set of addresses in any spelling, when parsed as a hide list, then it gives their sorted unique canonical forms', () => {
  fc.assert(
    fc.property(
      fc.array(spelled, { maxLength: 20 }),
      fc.constantFrom('', ' ', '\t', '\n', ' \n\t '),
      (entries, pad) => {
        const list = `${pad}${entries.map((e) => `(${e.text})`).join('')}${pad}`;
        assert.equal(
          devicesOf(parseHideList(list)),
          [...new Set(entries.map((e) => e.canonical))].sort(comparePciAddresses),
        );
        assert.equal(parseHideList(list).unreadable, []);
      },
    ),
    RUNS,
  );
});

const hideListish = fc.oneof(
  anyString,
  fc
    .array(fc.oneof(canonicalAddress, anyString), { maxLength: 6 })
    .map((entries) => entries.map((e) => `(${e})`).join('')),
  fc
    .array(fc.oneof(canonicalAddress, fc.constantFrom('(', ')', '()', ')(', ' ')), { maxLength: 8 })
    .map((parts) => parts.join('')),
);

test('given any string, when parsed as a hide list, then it never throws, its devices are canonical, an unreadable entry hides all, and writing it back keeps the readable entries only', () => {
  fc.assert(
    fc.property(hideListish, fc.array(canonicalAddress, { maxLength: 8 }), (input, known) => {
      const list = parseHideList(input);
      for (const address of devicesOf(list, known)) assert.match(address, CANONICAL);
      if (list.unreadable.length > 0) assert.equal(devicesOf(list, known), []);
      const again = parseHideList(formatHideList(list));
      assert.equal(again.unreadable, []);
      assert.equal(devicesOf(again, known), devicesOf({ ...list, unreadable: [] }, known));
    }),
    RUNS,
  );
});

/** A wildcard entry in any spelling xen-pciback takes, with the bus and slot it covers. */
const wildcard = fc
  .record({
    domain: fc.integer({ min: 0, max: 0xffff }),
    bus: hex(2),
    slot: fc.option(hex(2, 0x1f)),
    long: fc.boolean(),
    pad: fc.nat(3),
  })
  .map(({ domain, bus, slot, long, pad }) => {
    const prefix = long ? `${'0'.repeat(pad)}${domain.toString(16)}:` : '';
    return {
      text: `(${prefix}${bus}:${slot === null ? '*.*' : `${slot}.*`})`,
      covers: (a: PciAddress) =>
        a.slice(0, 4) === (long ? domain.toString(16).padStart(4, '0') : '0000') &&
        a.slice(5, 7) === bus &&
        (slot === null || a.slice(8, 10) === slot),
    };
  });

test('given wildcard entries, when matched against any inventory, then they hide exactly the devices they cover', () => {
  fc.assert(
    fc.property(
      fc.array(wildcard, { minLength: 1, maxLength: 4 }),
      fc.array(canonicalAddress, { maxLength: 12 }),
      (cards, known) => {
        const list = parseHideList(cards.map((c) => c.text).join(''));
        assert.equal(list.unreadable, []);
        assert.equal(
          devicesOf(list, known),
          [...new Set(known.filter((a) => cards.some((c) => c.covers(a))))].sort(comparePciAddresses),
        );
      },
    ),
    RUNS,
  );
});

test('given a list with wildcards, when covered devices are unhidden, then exactly those leave and every other stays hidden', () => {
  fc.assert(
    fc.property(
      fc.array(wildcard, { maxLength: 3 }),
      fc.array(canonicalAddress, { maxLength: 4 }),
      fc.array(canonicalAddress, { minLength: 1, maxLength: 12 }),
      fc.nat(),
      (cards, explicit, known, pick) => {
        const list = parseHideList(cards.map((c) => c.text).join('') + explicit.map((a) => `(${a})`).join(''));
        const before = devicesOf(list, known);
        const gone = before.filter((_, i) => (pick >> i) & 1);
        const after = editHideList(list, { hide: [], unhide: gone }, known);
        assert.equal(
          devicesOf(parseHideList(formatHideList(after)), known),
          before.filter((a) => !gone.includes(a)),
        );
      },
    ),
    RUNS,
  );
});

test('given any string, when parsed as a kernel command line, then it never throws and gives keys without whitespace outside quotes', () => {
  fc.assert(
    fc.property(fc.oneof(anyString, hideListish), (line) => {
      const parameters = parseKernelCmdline(line);
      assert.ok(Array.isArray(parameters));
      for (const { key, value } of parameters) {
        assert.type(key, 'string');
        assert.ok(value === null || typeof value === 'string');
        assert.not.match(key, /"/);
        if (value !== null) assert.not.match(value, /"/);
      }
    }),
    RUNS,
  );
});

const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f'];
/** A character of a key or value: anything but whitespace (as the parser reads it) and quotes. */
const plainChar = fc
  .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...'abcxyz019.-_/=,:()'))
  .filter((c) => !/[\s"]/.test(c));
const separator = fc.string({ unit: fc.constantFrom(...WHITESPACE), minLength: 1, maxLength: 4 });
const key = fc.string({ unit: plainChar.filter((c) => c !== '='), minLength: 1, maxLength: 12 });
const plainValue = fc.string({ unit: plainChar, maxLength: 20 });
// Plain objects: fast-check records have a null prototype, which deep equality tells apart.
const parameter: fc.Arbitrary<KernelParameter> = fc
  .tuple(key, fc.option(plainValue, { freq: 5 }))
  .map(([k, value]) => ({ key: k, value }));
const render = (p: KernelParameter) => (p.value === null ? p.key : `${p.key}=${p.value}`);

test('given key=value tokens without whitespace or quotes, when joined by any whitespace, then the parser gives exactly those tokens', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(parameter, separator), { maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(...WHITESPACE), maxLength: 3 }),
      (tokens, lead) => {
        const line = lead + tokens.map(([p, space]) => `${render(p)}${space}`).join('');
        assert.equal(
          parseKernelCmdline(line),
          tokens.map(([p]) => p),
        );
      },
    ),
    RUNS,
  );
});

test('given values quoted with spaces inside, when parsed, then each value survives whole and unquoted', () => {
  const quotedValue = fc.string({
    unit: fc.oneof(plainChar, fc.constantFrom(' ', '  ', '\t')),
    maxLength: 20,
  });
  const quoted = fc.record({ key, value: quotedValue, whole: fc.boolean() });
  fc.assert(
    fc.property(fc.array(fc.tuple(quoted, separator), { minLength: 1, maxLength: 8 }), (tokens) => {
      const line = tokens
        .map(([q, space]) => `${q.whole ? `"${q.key}=${q.value}"` : `${q.key}="${q.value}"`}${space}`)
        .join('');
      assert.equal(
        parseKernelCmdline(line),
        tokens.map(([q]) => ({ key: q.key, value: q.value })),
      );
    }),
    RUNS,
  );
});

test('given any parameter list, when its hide list is read, then it never throws and hides canonical addresses only', () => {
  const hideKey = fc.constantFrom(
    'xen-pciback.hide',
    'pciback.hide',
    'xen_pciback.hide',
    'pciback_hide',
    'xen-pciback_hide',
  );
  const anyParameter: fc.Arbitrary<KernelParameter> = fc.record({
    key: fc.oneof(hideKey, hideKey, fc.string({ unit: 'binary', maxLength: 20 })),
    value: fc.option(hideListish, { freq: 4 }),
  });
  fc.assert(
    fc.property(fc.array(anyParameter, { maxLength: 8 }), (parameters) => {
      for (const address of devicesOf(hideListOf(parameters))) assert.match(address, CANONICAL);
      const list = hideListOf(parameters);
      if (list.unreadable.length > 0) assert.equal(devicesOf(list), []);
    }),
    RUNS,
  );
});

test('given a command line built from a known hide list, when read back, then the hide list is the one written', () => {
  fc.assert(
    fc.property(
      fc.array(canonicalAddress, { maxLength: 10 }),
      fc.array(
        parameter.filter((p) => !/^(xen[-_])?pciback[-_.]hide$/.test(p.key.replace(/_/g, '-'))),
        { maxLength: 5 },
      ),
      separator,
      (addresses, others, space) => {
        const line = [...others.map(render), `xen-pciback.hide=${formatHideList(explicitHideList(addresses))}`].join(
          space,
        );
        assert.equal(
          devicesOf(hideListOf(parseKernelCmdline(line))),
          [...new Set(addresses)].sort(comparePciAddresses),
        );
      },
    ),
    RUNS,
  );
});

test.run();
