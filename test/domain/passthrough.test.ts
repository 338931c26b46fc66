import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hiddenIn, type Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { parseHideList } from '../../domain/hide-list.ts';
import { passthroughVerdict, type PassthroughFacts } from '../../domain/passthrough.ts';
import { hideListProblems } from '../../domain/unheeded-hides.ts';

const test = suite('passthrough verdict');

const GPU = parsePciAddress('0000:03:00.0');
const AUDIO = parsePciAddress('0000:03:00.1');
const facts = (given: Partial<PassthroughFacts>): PassthroughFacts => ({
  id: GPU,
  driver: 'pciback',
  status: 'disabled',
  dependencies: [],
  needed: [],
  iommu: true,
  unheeded: [],
  bootHidden: hiddenIn(given.status ?? 'disabled').current,
  holderUnknown: null,
  leftWithoutDriver: false,
  pciBus: '/sys/bus/pci',
  ...given,
});
const codes = (given: Partial<PassthroughFacts>) => passthroughVerdict(facts(given)).problems.map((p) => p.code);

test('given a device pciback holds, hidden now and at next boot, on a host with an IOMMU, then it is ready', () => {
  assert.equal(passthroughVerdict(facts({})), { ready: true, problems: [] });
});

test('given an IOMMU that cannot be known, then the verdict rests on the driver and status alone', () => {
  assert.equal(passthroughVerdict(facts({ iommu: null })), { ready: true, problems: [] });
});

test('given no IOMMU, then every hidden or pending device says so, and an enabled one does not', () => {
  for (const status of ['disabled', 'disabled_on_reboot', 'enabled_on_reboot'] as Dom0AccessStatus[]) {
    assert.ok(codes({ status, iommu: false }).includes('iommu_disabled'), status);
  }
  assert.equal(codes({ status: 'enabled', driver: 'nouveau', iommu: false }), []);
  assert.is(passthroughVerdict(facts({ iommu: false })).ready, false);
});

test('given the boot hid a device that a dom0 driver holds, then it is not claimed, naming the driver', () => {
  const verdict = passthroughVerdict(facts({ driver: 'igb' }));
  assert.equal(verdict.ready, false);
  assert.equal(
    verdict.problems.map((p) => p.code),
    ['not_claimed'],
  );
  assert.match(verdict.problems[0]!.detail, /dom0's igb driver holds it/);
});

test('given the boot hid a device whose driver also drives the boot disk, then the advice is never to blacklist that driver', () => {
  const disk = parsePciAddress('0000:00:05.0');
  const [problem] = passthroughVerdict(
    facts({ driver: 'virtio-pci', needed: [{ id: disk, driver: 'virtio-pci' }] }),
  ).problems;
  assert.is(problem?.code, 'not_claimed');
  assert.is(
    problem!.detail,
    `the boot hid ${GPU} but dom0's virtio-pci driver holds it, and virtio-pci also drives ${disk}, which dom0 needs: do not blacklist virtio-pci; give ${GPU} alone to pciback with xl pci-assignable-add ${GPU}, or unbind it (echo ${GPU} > /sys/bus/pci/devices/${GPU}/driver/unbind) and bind it to pciback (echo ${GPU} > /sys/bus/pci/drivers/pciback/new_slot; echo ${GPU} > /sys/bus/pci/drivers/pciback/bind)`,
  );
});

test('given the boot hid a device no driver holds, then it is not claimed and the fix is to load pciback', () => {
  const [problem] = passthroughVerdict(facts({ driver: null })).problems;
  assert.is(problem?.code, 'not_claimed');
  assert.match(problem!.detail, /load xen-pciback at boot/);
});

test('given an unhide pending on a device this boot hid, then a dom0 driver holding it is not claimed', () => {
  assert.equal(codes({ status: 'enabled_on_reboot', driver: 'nvme' }), ['not_claimed']);
});

test('given pciback holds a device the next boot gives back, then it is not persistent', () => {
  assert.equal(codes({ status: 'enabled' }), ['not_persistent']);
  assert.equal(codes({ status: 'enabled_on_reboot' }), ['not_persistent']);
  assert.is(passthroughVerdict(facts({ status: 'enabled' })).ready, false);
});

test('given a hide pending for next boot, then the device is not ready yet but has no problem', () => {
  assert.equal(passthroughVerdict(facts({ status: 'disabled_on_reboot', driver: 'nouveau' })), {
    ready: false,
    problems: [],
  });
});

test('given a dependency a dom0 driver holds, then the device names it and how to free it', () => {
  const verdict = passthroughVerdict(facts({ dependencies: [{ id: AUDIO, driver: 'snd_hda_intel' }] }));
  assert.is(verdict.ready, false);
  assert.equal(verdict.problems, [
    {
      code: 'dependency_in_dom0',
      detail:
        "0000:03:00.1 must be passed through with 0000:03:00.0 but dom0's snd_hda_intel driver holds it: hide it as well (passthru hide 0000:03:00.1)",
    },
  ]);
});

test('given dependencies that pciback holds or no driver holds, then they are free', () => {
  const dependencies = [
    { id: AUDIO, driver: 'pciback' },
    { id: parsePciAddress('0000:03:00.2'), driver: null },
  ];
  assert.equal(passthroughVerdict(facts({ dependencies })), { ready: true, problems: [] });
});

test('given a device dom0 keeps, then its dependencies in dom0 are no problem', () => {
  assert.equal(
    codes({ status: 'enabled', driver: 'nouveau', dependencies: [{ id: AUDIO, driver: 'snd_hda_intel' }] }),
    [],
  );
});

test('given a hide list that names the device but hides nothing, when judged, then each reason is a problem naming the device', () => {
  const rejected = hideListProblems('pending', { list: parseHideList(`(${GPU})(zz)`), ignored: `(${GPU})` });
  assert.equal(
    rejected.map((p) => [p.code, p.key, p.entries]),
    [
      ['hide_list_rejected', 'xen-pciback.hide', ['(zz)']],
      ['hide_key_ignored', 'pciback.hide', [`(${GPU})`]],
    ],
  );
  const verdict = passthroughVerdict(facts({ driver: null, status: 'enabled', unheeded: rejected }));
  assert.equal(
    verdict.problems.map((p) => p.code),
    ['hide_list_rejected', 'hide_key_ignored'],
  );
  assert.match(verdict.problems[0]!.detail, `${GPU} is not hidden: xen-pciback.hide of the next boot holds (zz)`);
  assert.is(verdict.ready, false);
});

test('given a device handed to pciback now but not hidden at next boot, then it is not persistent', () => {
  assert.equal(codes({ status: 'enabled_on_reboot', bootHidden: false, driver: 'pciback' }), ['not_persistent']);
});

test('given a device handed to pciback now and hidden at next boot, then it is ready without a reboot', () => {
  assert.equal(passthroughVerdict(facts({ bootHidden: false })), { ready: true, problems: [] });
});

test('given who holds a device pciback has cannot be read, then it is never ready, and says why', () => {
  const verdict = passthroughVerdict(facts({ holderUnknown: 'xenstore: no answer' }));
  assert.equal(
    verdict.problems.map((p) => p.code),
    ['holder_unknown'],
  );
  assert.match(verdict.problems[0]!.detail, 'xenstore: no answer');
  assert.is(verdict.ready, false);
  assert.equal(codes({ status: 'enabled', driver: 'igb', holderUnknown: 'x' }), [], 'dom0’s own device has no holder');
});

test('given a give-back that left no driver, then it is a problem until a driver is bound', () => {
  assert.equal(codes({ status: 'enabled', driver: null, leftWithoutDriver: true }), ['left_without_driver']);
  assert.equal(codes({ status: 'enabled', driver: 'igb', leftWithoutDriver: true }), []);
});

test.run();
