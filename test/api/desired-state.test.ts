import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { BOARD, BOOT_NVME, desiredHost, GPU_MATCH, MOVED_SLOT, NIC, SLOT } from '../support/desired-host.ts';
import { TOKEN, World } from '../support/world.ts';
import { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { WITH_IOMMU } from '../support/xl-world.ts';

const test = suite<{ world: World; sys: KernelSysfs }>('desired state: plan, then apply');

const GPU = `${SLOT}.0`;
const AUDIO = `${SLOT}.1`;

async function start(sys: KernelSysfs, env: Record<string, string> = {}): Promise<World> {
  return World.start([], { ...sys.env, PASSTHRU_DATA_DIR: join(sys.root, 'var'), ...env });
}

/** The same host with dom0's drivers bound and an xl that hands devices over as real xl does. */
async function withXl(context: { world: World; sys: KernelSysfs }): Promise<XcpNgTwin> {
  await context.world.close();
  rmSync(context.sys.root, { recursive: true, force: true });
  context.sys = desiredHost().bind(`${SLOT}.0`, 'nouveau').bind(`${SLOT}.1`, 'snd_hda_intel').bind(NIC, 'igb');
  const xl = new XcpNgTwin(join(context.sys.root, 'twin'), WITH_IOMMU, {
    sysfs: context.sys.root,
    dataDir: join(context.sys.root, 'var'),
    drivers: { [`${SLOT}.0`]: 'nouveau', [`${SLOT}.1`]: 'snd_hda_intel', [NIC]: 'igb' },
  });
  context.world = await start(context.sys, xl.env);
  return xl;
}

test.before.each(async (context) => {
  context.sys = desiredHost();
  context.world = await start(context.sys);
});
test.after.each(async ({ world, sys }) => {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

const GPU_CARD_YAML = `# the passthrough GPU and its audio function, wherever the card sits
hidden:
  - match: { vendor: "10de", device: "1db4" }
    functions: all
    reason: passthrough GPU for the CAD guests
`;

const planYaml = (world: World, text: string) =>
  world.request({
    method: 'POST',
    url: '/v1/plans',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
    payload: text,
  });
const pending = async (world: World) => (await world.get('/v1/host')).json().pending;
const hideValue = (world: World) => world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide');
const feed = async (world: World) => (await world.get('/v1/events?limit=1000')).json().events;

test('given a YAML document naming a GPU by vendor and device with functions: all, when planned, then the GPU and its audio function change, and nothing is written', async ({
  world,
}) => {
  const before = await feed(world);
  const lineBefore: number = (await world.get('/v1/host/next-boot')).json().dom0_line_length;
  const response = await planYaml(world, GPU_CARD_YAML);
  assert.is(response.statusCode, 201);
  const plan = response.json();
  const entry = {
    pointer: '/hidden/0',
    match: GPU_MATCH,
    functions: 'all',
    reason: 'passthrough GPU for the CAD guests',
  };
  assert.equal(plan.changes, [
    { id: GPU, from: 'enabled', to: 'disabled_on_reboot', entry },
    { id: AUDIO, from: 'enabled', to: 'disabled_on_reboot', entry },
  ]);
  assert.equal(plan.refusals, []);
  assert.equal(plan.warnings, []);
  assert.is(plan.reboot_needed, true);
  assert.equal(plan.next_boot, {
    ok: true,
    problems: [],
    // The whole dom0 line as the write would leave it: the hide key appended after a blank.
    dom0_line_length: lineBefore + ' xen-pciback.hide=(0000:03:00.0)(0000:03:00.1)'.length,
    limit: 991,
  });
  assert.is(plan.position, before.at(-1).position);
  assert.match(plan.hide_list_digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await pending(world), []);
  assert.is(hideValue(world), '\n');
  const after = await feed(world);
  assert.equal(
    after.slice(before.length).map((e: { type: string; data: { id: string } }) => [e.type, e.data.id]),
    [['PlanMade', plan.id]],
  );
  assert.equal((await world.get(`/v1/plans/${plan.id}`)).json(), plan);
});

test("given a plan, when applied, then both functions are hidden in one edit, every event carries the plan id and its entry's reason, and a second apply of the plan is refused as stale", async ({
  world,
}) => {
  const plan = (await planYaml(world, GPU_CARD_YAML)).json();
  const applied = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(applied.statusCode, 200);
  assert.is(applied.json().plan, plan.id);
  assert.equal(
    applied
      .json()
      .results.map((r: { record: { id: string; dom0_access: string }; changed: boolean }) => [
        r.record.id,
        r.record.dom0_access,
        r.changed,
      ]),
    [
      [GPU, 'disabled_on_reboot', true],
      [AUDIO, 'disabled_on_reboot', true],
    ],
  );
  assert.is(hideValue(world), `xen-pciback.hide=(${GPU})(${AUDIO})\n`);
  const changes = (await feed(world)).filter((e: { type: string }) => e.type === 'Dom0AccessDisabled');
  assert.equal(
    changes.map((e: { data: { pci: string }; metadata: { correlation_id: string; plan: string; reason: string } }) => [
      e.data.pci,
      e.metadata.correlation_id,
      e.metadata.plan,
      e.metadata.reason,
    ]),
    [
      [GPU, plan.id, plan.id, 'passthrough GPU for the CAD guests'],
      [AUDIO, plan.id, plan.id, 'passthrough GPU for the CAD guests'],
    ],
  );
  const again = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(again.statusCode, 409);
  assert.is(again.json().reason, 'plan_stale');
});

test('given a document already applied, when planned and applied again, then the plan is empty and its apply changes nothing and says so', async ({
  world,
}) => {
  const first = (await planYaml(world, GPU_CARD_YAML)).json();
  await world.post(`/v1/plans/${first.id}/apply`);
  const second = (await planYaml(world, GPU_CARD_YAML)).json();
  assert.equal(second.changes, []);
  assert.is(second.reboot_needed, false);
  const before = (await feed(world)).length;
  const applied = await world.post(`/v1/plans/${second.id}/apply`);
  assert.is(applied.statusCode, 200);
  assert.equal(applied.json(), { results: [], warnings: [], plan: second.id });
  assert.is((await feed(world)).length, before);
  assert.equal((await world.post(`/v1/plans/${second.id}/apply`)).json().results, [], 'and again');
  world.xenCmdlineByHand('--delete-dom0', 'xen-pciback.hide');
  const moved = await world.post(`/v1/plans/${second.id}/apply`);
  assert.is(moved.statusCode, 409, 'an empty plan no longer holds once the host moved');
  assert.is(moved.json().reason, 'plan_stale');
});

test('given the card moved to another slot, when the same document is planned, then the card is matched where it sits now', async (context) => {
  await context.world.close();
  rmSync(context.sys.root, { recursive: true, force: true });
  context.sys = desiredHost(MOVED_SLOT);
  context.world = await start(context.sys);
  const plan = (await planYaml(context.world, GPU_CARD_YAML)).json();
  assert.equal(
    plan.changes.map((c: { id: string }) => c.id),
    [`${MOVED_SLOT}.0`, `${MOVED_SLOT}.1`],
  );
});

test('given the card hidden by a plan and then moved to another slot, when the same exact document is planned, then it is hidden where it sits now and its old addresses are given back', async (context) => {
  const exactCard = `mode: exact\n${GPU_CARD_YAML}`;
  const first = (await planYaml(context.world, exactCard)).json();
  assert.is((await context.world.post(`/v1/plans/${first.id}/apply`)).statusCode, 200);
  await context.world.close();
  // The same host and store, the card in another slot: a new sysfs, the same data dir.
  const before = context.sys;
  const moved = desiredHost(MOVED_SLOT);
  const world = await start(moved, { PASSTHRU_DATA_DIR: join(before.root, 'var') });
  try {
    const plan = (await planYaml(world, exactCard)).json();
    assert.equal(
      plan.changes.map((c: { id: string; from: string; to: string; entry: object | null }) => [
        c.id,
        c.from,
        c.to,
        c.entry === null ? 'given back' : 'matched',
      ]),
      [
        [GPU, 'disabled_on_reboot', 'enabled', 'given back'],
        [AUDIO, 'disabled_on_reboot', 'enabled', 'given back'],
        [`${MOVED_SLOT}.0`, 'enabled', 'disabled_on_reboot', 'matched'],
        [`${MOVED_SLOT}.1`, 'enabled', 'disabled_on_reboot', 'matched'],
      ],
    );
    assert.is((await world.post(`/v1/plans/${plan.id}/apply`)).statusCode, 200);
    assert.is(hideValue(world), `xen-pciback.hide=(${MOVED_SLOT}.0)(${MOVED_SLOT}.1)\n`);
  } finally {
    await world.close();
    rmSync(moved.root, { recursive: true, force: true });
  }
  // The suite closes a world of its own.
  context.world = await start(before, { PASSTHRU_DATA_DIR: join(before.root, 'fresh-var') });
});

test('given subsystem ids and a class prefix, when they do not fit, then the entry matches nothing and the plan says so', async ({
  world,
}) => {
  const fits = await world.post('/v1/plans', { hidden: [{ match: { ...GPU_MATCH, ...BOARD, class: '0302' } }] });
  assert.equal(
    fits.json().changes.map((c: { id: string }) => c.id),
    [GPU],
  );
  const other = await world.post('/v1/plans', {
    hidden: [
      { match: { ...GPU_MATCH, subsystem_vendor: '1043', subsystem_device: '1212' } },
      { match: { ...GPU_MATCH, class: '0300' } },
    ],
  });
  assert.equal(other.json().changes, []);
  assert.equal(other.json().warnings, [
    '/hidden/0 matches no device on this host',
    '/hidden/1 matches no device on this host',
  ]);
});

test("given a NIC hidden by hand and a document naming only the GPU, then at_least leaves the NIC hidden and exact gives it back in the same edit, the GPU's event with its entry's reason and the NIC's with none", async ({
  world,
}) => {
  await world.post(`/v1/pcis/${NIC}/hide`);
  const document = { hidden: [{ id: GPU, reason: 'GPU for the guest' }] };
  const atLeast = (await world.post('/v1/plans', document)).json();
  assert.equal(
    atLeast.changes.map((c: { id: string; to: string }) => [c.id, c.to]),
    [[GPU, 'disabled_on_reboot']],
  );
  const exact = (await world.post('/v1/plans', { mode: 'exact', ...document })).json();
  assert.equal(exact.changes, [
    {
      id: GPU,
      from: 'enabled',
      to: 'disabled_on_reboot',
      entry: { pointer: '/hidden/0', id: GPU, functions: 'one', reason: 'GPU for the guest' },
    },
    { id: NIC, from: 'disabled_on_reboot', to: 'enabled', entry: null },
  ]);
  assert.match(exact.warnings.join('\n'), `${GPU} must move with ${AUDIO}`);
  const applied = await world.post(`/v1/plans/${exact.id}/apply`);
  assert.is(applied.statusCode, 200);
  assert.is(hideValue(world), `xen-pciback.hide=(${GPU})\n`);
  assert.equal(await pending(world), [GPU]);
  const edits = (await feed(world)).filter(
    (e: { metadata: { correlation_id: string } }) => e.metadata.correlation_id === exact.id,
  );
  assert.equal(
    edits.map((e: { type: string; data: { pci: string }; metadata: { reason?: string } }) => [
      e.type,
      e.data.pci,
      e.metadata.reason ?? null,
    ]),
    [
      ['Dom0AccessDisabled', GPU, 'GPU for the guest'],
      ['Dom0AccessEnabled', NIC, null],
    ],
  );
});

test('given a plan, when xen-cmdline is run by hand before its apply, then the apply is refused as stale and nothing is written', async ({
  world,
}) => {
  const plan = (await planYaml(world, GPU_CARD_YAML)).json();
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NIC})`);
  const applied = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(applied.statusCode, 409);
  assert.is(applied.json().reason, 'plan_stale');
  assert.match(applied.json().detail, 'hide list changed since it was made');
  assert.is(hideValue(world), `xen-pciback.hide=(${NIC})\n`);
  await world.settled();
  const byPlan = (await feed(world)).filter(
    (e: { type: string; metadata: { correlation_id: string } }) =>
      e.metadata.correlation_id === plan.id && e.type !== 'PlanMade',
  );
  assert.equal(byPlan, []);
});

test('given a plan, when a device changes through the service before its apply, then the apply is refused as stale', async ({
  world,
}) => {
  const plan = (await planYaml(world, GPU_CARD_YAML)).json();
  await world.post(`/v1/pcis/${NIC}/hide`);
  await world.post(`/v1/pcis/${NIC}/unhide`);
  const applied = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(applied.statusCode, 409);
  assert.is(applied.json().reason, 'plan_stale');
  assert.match(applied.json().detail, 'Dom0AccessDisabled at position');
  assert.is(hideValue(world), '\n');
});

test('given a document naming the boot NVMe, when planned, then the plan refuses it and its apply is refused with nothing written', async ({
  world,
}) => {
  const plan = (await world.post('/v1/plans', { hidden: [{ id: '01:00.0' }, { id: GPU }] })).json();
  assert.equal(plan.refusals, [
    {
      id: BOOT_NVME,
      reason: 'boot_device',
      detail: `${BOOT_NVME} is protected (boot_device: /dev/nvme0n1p2 on /): dom0 needs it to come back after a reboot; drop it from the document, or hide it by hand with force`,
    },
  ]);
  const applied = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(applied.statusCode, 409);
  assert.is(applied.json().reason, 'plan_refused');
  assert.is(hideValue(world), '\n');
});

test('given apply: now, when planned and applied, then the card is handed to pciback at once and each hand-over carries the plan id', async (context) => {
  await withXl(context);
  const { world } = context;
  const plan = (
    await world.post('/v1/plans', { apply: 'now', hidden: [{ match: GPU_MATCH, functions: 'all' }] })
  ).json();
  assert.equal(
    plan.changes.map((c: { id: string; from: string; to: string }) => [c.id, c.from, c.to]),
    [
      [GPU, 'enabled', 'disabled'],
      [AUDIO, 'enabled', 'disabled'],
    ],
  );
  assert.is(plan.reboot_needed, false);
  const applied = await world.post(`/v1/plans/${plan.id}/apply`);
  assert.is(applied.statusCode, 200);
  assert.equal(
    applied
      .json()
      .results.map((r: { record: { id: string; dom0_access: string; driver: string } }) => [
        r.record.id,
        r.record.dom0_access,
        r.record.driver,
      ]),
    [
      [GPU, 'disabled', 'pciback'],
      [AUDIO, 'disabled', 'pciback'],
    ],
  );
  const handed = (await feed(world)).filter((e: { type: string }) => e.type === 'AppliedNow');
  assert.equal(
    handed.map((e: { data: { id: string }; metadata: { correlation_id: string } }) => [
      e.data.id,
      e.metadata.correlation_id,
    ]),
    [
      [GPU, plan.id],
      [AUDIO, plan.id],
    ],
  );
});

test('given a device a guest holds, when an exact document would give it back, then the plan refuses it', async (context) => {
  const xl = await withXl(context);
  const { world } = context;
  assert.is((await world.post(`/v1/pcis/${NIC}/hide`, { apply: 'now' })).statusCode, 200);
  xl.guest(3, 'win10', [NIC]);
  await world.post('/v1/reconcile');
  const plan = (await world.post('/v1/plans', { mode: 'exact', hidden: [{ id: GPU }] })).json();
  assert.equal(plan.refusals, [
    {
      id: NIC,
      reason: 'assigned',
      detail: `${NIC} is passed through to win10 (domain 3): shut the guest down or detach the device first`,
    },
  ]);
  assert.is((await world.post(`/v1/plans/${plan.id}/apply`)).json().reason, 'plan_refused');
});

test('given a xenstore client that cannot be run, when an exact document would give a device back, then the plan refuses it as its holder is unknown', async (context) => {
  await context.world.close();
  context.world = await start(context.sys, { PASSTHRU_XENSTORE: join(context.sys.root, 'no-such-xenstore') });
  const { world } = context;
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NIC})`);
  await world.settled();
  const plan = (await world.post('/v1/plans', { mode: 'exact', hidden: [] })).json();
  assert.equal(
    plan.refusals.map((r: { id: string; reason: string }) => [r.id, r.reason]),
    [[NIC, 'holder_unknown']],
  );
});

test('given bad documents, when planned, then each is a 400 whose detail names the field as a JSON pointer and what is wrong', async ({
  world,
}) => {
  const cases: [unknown, string][] = [
    [{ hidden: [{ id: GPU, match: GPU_MATCH }] }, '/hidden/0 has both "id" and "match": name the device one way'],
    [{ hidden: [{ reason: 'x' }] }, '/hidden/0 names no device: give "id" (a PCI address) or "match"'],
    [{ hidden: [{ id: '03:00' }] }, '/hidden/0/id is "03:00" is not a PCI address'],
    [{ hidden: [{ match: { vendor: '10DE', device: '1db4' } }] }, '/hidden/0/match/vendor must match pattern'],
    [{ hidden: [{ match: { vendor: '10de' } }] }, '/hidden/0/match/device is missing'],
    [
      { hidden: [{ match: { ...GPU_MATCH, subsystem_vendor: '10de' } }] },
      '/hidden/0/match/subsystem_device is missing',
    ],
    [{ hidden: [{ id: GPU, colour: 'red' }] }, '/hidden/0/colour is not a field of the document'],
    [{ mode: 'some', hidden: [] }, '/mode must be equal to one of the allowed values'],
    [{ hidden: [{ id: GPU }, { id: '03:00.0' }] }, '/hidden/1/id names 0000:03:00.0 a second time'],
    [{}, '/hidden is missing'],
  ];
  for (const [document, detail] of cases) {
    const response = await world.post('/v1/plans', document);
    assert.is(response.statusCode, 400, JSON.stringify(document));
    assert.match(response.json().detail, `the desired-state document is not valid: ${detail}`);
  }
  const yaml = await planYaml(world, 'hidden:\n  - match: {vendor: "10de"\n');
  assert.is(yaml.statusCode, 400);
  assert.match(yaml.json().detail, 'the desired-state document is not valid: / is not YAML or JSON:');
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
    .concat(['b', 'c', 'd', 'e'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(', ')}]`))
    .join('\n');
  const exhausted = await planYaml(world, `${bomb}\nhidden: []\n`);
  assert.is(exhausted.statusCode, 400, 'an alias bomb');
  assert.match(exhausted.json().detail, 'resource exhaustion');
  const twice = await planYaml(world, 'hidden: []\nhidden: []\n');
  assert.match(twice.json().detail, '/ is not YAML or JSON: Map keys must be unique');
  const tagged = await planYaml(world, `hidden:\n  - id: !!binary MDM6MDAuMA==\n`);
  assert.match(tagged.json().detail, '/hidden/0/id is "MDM6MDAuMA==" is not a PCI address');
  const typed = await planYaml(world, 'hidden:\n  - match: { vendor: 10de, device: "1db4" }\n');
  assert.is(typed.statusCode, 201, 'YAML reads 10de as a string');
});

test('given a read-only token, when it plans or applies, then it is forbidden; an unknown plan is 404', async ({
  world,
}) => {
  await world.addReader();
  const { READER_TOKEN } = await import('../support/world.ts');
  assert.is((await world.post('/v1/plans', { hidden: [] }, READER_TOKEN)).statusCode, 403);
  assert.is((await world.get('/v1/plans/nope')).statusCode, 404);
  assert.is((await world.post('/v1/plans/nope/apply')).statusCode, 404);
});

test.run();
