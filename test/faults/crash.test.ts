import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyToPciView, emptyPciView, type PciView } from '../../projections/pci-view.ts';
import { deviceStreamPrefix } from '../../projections/streams.ts';
import { SqliteEventStore } from '../../services/store/sqlite-store.ts';
import { startService, stopService, type ServiceProcess } from '../support/service-process.ts';
import { SPARE_NIC, safetyHost } from '../support/safety-host.ts';
import { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { WITH_IOMMU } from '../support/xl-world.ts';

// kill -9 after a number of acknowledged commands (drawn from a printed seed,
// PASSTHRU_CRASH_SEED replays it) while 8 clients send hide/unhide commands;
// after each restart nothing acknowledged is lost and the views are whole.
const TRIALS = 6;
// A trial acknowledges 1 to 40 commands before its kill (about 0.15 s each here, two xen-cmdline runs).
const MAX_ACKS_BEFORE_KILL = 40;
// Then waits up to one command's time more, so the kill lands in any step of the command in flight.
const MAX_KILL_DELAY_MS = 200;
const CLIENTS = 8;
const HOST = 'crash-host';
const TOKEN = 'crash-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const DEVICES = Array.from({ length: 12 }, (_, i) => `0000:2${Math.floor(i / 8)}:0${i % 8}.0`);

interface Answer {
  readonly requestId: string;
  readonly status: number;
  readonly changed: boolean;
  readonly position: number | null;
}

const test = suite<{ dir: string; env: Record<string, string>; seed: number }>('crash consistency');

test.before((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-crash-'));
  for (const id of DEVICES) {
    mkdirSync(join(context.dir, 'sysfs', id), { recursive: true });
    writeFileSync(join(context.dir, 'sysfs', id, 'class'), '0x020000\n');
    writeFileSync(join(context.dir, 'sysfs', id, 'vendor'), '0x8086\n');
    writeFileSync(join(context.dir, 'sysfs', id, 'device'), '0x1521\n');
  }
  context.env = {
    PASSTHRU_DATA_DIR: join(context.dir, 'var'),
    PASSTHRU_SYSFS_PCI: join(context.dir, 'sysfs'),
    PASSTHRU_HOST_ID: HOST,
    PASSTHRU_TOKEN: TOKEN,
  };
  context.seed = Number(process.env.PASSTHRU_CRASH_SEED ?? Math.floor(Math.random() * 100_000));
  console.log(`crash: seed ${context.seed} (PASSTHRU_CRASH_SEED=${context.seed} replays it)`);
});
test.after(({ dir }) => rmSync(dir, { recursive: true, force: true }));

/** A small seeded generator, so a failing run can be replayed with PASSTHRU_CRASH_SEED. */
function random(seed: number) {
  let state = seed || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The answer, or null when the connection broke (the kill cut it). */
async function send(
  service: ServiceProcess,
  requestId: string,
  pci: string,
  name: string,
  body?: object,
): Promise<Answer | null> {
  try {
    const response = await fetch(`${service.url}/v1/pcis/${pci}/${name}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-request-id': requestId,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const answer = (await response.json()) as { changed?: boolean; event?: { position: number } | null };
    return {
      requestId,
      status: response.status,
      changed: answer.changed === true,
      position: answer.event?.position ?? null,
    };
  } catch {
    return null;
  }
}

async function storedViews(
  path: string,
): Promise<{ view: PciView; byRequest: Map<string, number[]>; repairs: number }> {
  const store = new SqliteEventStore(path);
  let view = emptyPciView();
  const byRequest = new Map<string, number[]>();
  let repairs = 0;
  for (let after = 0; ;) {
    const events = await store.readAll({ after, limit: 5000 });
    if (events.length === 0) break;
    view = applyToPciView(
      view,
      events.filter((e) => e.stream.startsWith(deviceStreamPrefix(HOST))),
    );
    for (const event of events) {
      if (event.type === 'Dom0AccessReconciled' && (event.data as { cause: string }).cause === 'outside_change')
        repairs++;
      byRequest.set(event.metadata.correlation_id, [
        ...(byRequest.get(event.metadata.correlation_id) ?? []),
        event.position,
      ]);
    }
    after = events[events.length - 1]!.position;
  }
  await store.close();
  return { view, byRequest, repairs };
}

test('every acknowledged command survives kill -9, and the views equal a rebuild and the host', async ({
  dir,
  env,
  seed,
}) => {
  const next = random(seed);
  const totals = { acknowledged: 0, changed: 0, cut: 0, repaired: 0 };
  for (let trial = 0; trial < TRIALS; trial++) {
    const label = `seed ${seed}, trial ${trial}`;
    const killAfter = 1 + Math.floor(next() * MAX_ACKS_BEFORE_KILL);
    const killDelayMs = Math.floor(next() * MAX_KILL_DELAY_MS);
    const choose = random(Math.floor(next() * 2147483646) + 1);
    const service = await startService(env);
    const answers: Answer[] = [];
    let cut = 0;
    let killed = false;
    let aliveAtKill = false;
    let acknowledgedAtKill = 0;
    const kill = () => {
      aliveAtKill = service.child.exitCode === null && service.child.signalCode === null;
      acknowledgedAtKill = answers.length;
      killed = true;
      service.child.kill('SIGKILL');
    };
    let sent = 0;
    const client = async () => {
      while (!killed) {
        const n = sent++;
        const pci = DEVICES[Math.floor(choose() * DEVICES.length)]!;
        const answer = await send(
          service,
          `seed${seed}-trial${trial}-cmd${n}`,
          pci,
          choose() < 0.5 ? 'hide' : 'unhide',
        );
        if (answer === null) {
          // A broken connection is the kill's doing only once the kill was sent.
          assert.ok(killed, `${label}: command ${n} failed before the kill: ${service.stderr()}`);
          cut++;
          continue;
        }
        answers.push(answer);
        if (answers.length === killAfter) setTimeout(kill, killDelayMs);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const ending = await stopService(service, 'SIGKILL');
    assert.ok(aliveAtKill, `${label}: the service had died before the kill: ${service.stderr()}`);
    assert.equal(ending, { code: null, signal: 'SIGKILL' }, `${label}: ended by the kill`);
    assert.ok(
      acknowledgedAtKill >= killAfter,
      `${label}: ${acknowledgedAtKill} of ${killAfter} acknowledged at the kill`,
    );
    assert.ok(cut > 0, `${label}: the kill cut no command in flight`);

    const restarted = await startService(env);
    try {
      const { view, byRequest, repairs } = await storedViews(join(dir, 'var', 'events.db'));
      for (const answer of answers) {
        assert.is(answer.status, 200, `${label}: ${answer.requestId} answered ${answer.status}`);
        if (answer.changed) {
          assert.equal(byRequest.get(answer.requestId), [answer.position], `${label}: ${answer.requestId} lost`);
        } else assert.is(byRequest.get(answer.requestId), undefined, `${label}: ${answer.requestId} appended`);
      }
      for (const pci of DEVICES) {
        const state = (await (await fetch(`${restarted.url}/v1/pcis/${pci}/state`, { headers: AUTH })).json()) as {
          status: string;
        };
        assert.equal(
          state,
          JSON.parse(JSON.stringify(view.devices[pci as keyof PciView['devices']])),
          `${label}: ${pci} projection`,
        );
        const live = (await (await fetch(`${restarted.url}/v1/pcis/${pci}/dom0-access`, { headers: AUTH })).json()) as {
          status: string;
        };
        assert.is(state.status, live.status, `${label}: ${pci} projection vs host`);
      }
      totals.repaired = repairs;
    } finally {
      await stopService(restarted);
    }
    totals.acknowledged += answers.length;
    totals.changed += answers.filter((a) => a.changed).length;
    totals.cut += cut;
  }
  console.log(
    `crash: seed ${seed}, ${TRIALS} kill -9 trials: ${totals.acknowledged} commands acknowledged ` +
      `(${totals.changed} changes, every one found in the store), ${totals.cut} cut by the kill, ` +
      `${totals.repaired} edits without their event repaired by the reconciler at restart`,
  );
});

test('given a kill -9 between handing a device to pciback and recording it, then the reconciler at restart records what the host holds', async () => {
  const sys = safetyHost().bind(SPARE_NIC, 'igb');
  try {
    const dataDir = join(sys.root, 'var');
    const twin = new XcpNgTwin(join(sys.root, 'twin'), WITH_IOMMU, {
      sysfs: sys.root,
      dataDir,
      drivers: { [SPARE_NIC]: 'igb' },
    });
    // xl does its work, then the service is killed before it can append: the widest gap of a hand-over.
    const dying = join(sys.root, 'xl-then-kill');
    writeFileSync(
      dying,
      `#!/bin/sh\n'${twin.program}' "$@"; code=$?\n[ "$1" = pci-assignable-add ] && [ $code = 0 ] && kill -9 $PPID\nexit $code\n`,
    );
    chmodSync(dying, 0o755);
    const env = { ...sys.env, PASSTHRU_DATA_DIR: dataDir, PASSTHRU_HOST_ID: HOST, PASSTHRU_TOKEN: TOKEN, ...twin.env };
    const service = await startService({ ...env, PASSTHRU_XL: dying });
    const cut = await send(service, 'hand-over-then-kill', SPARE_NIC, 'hide', { apply: 'now' });
    assert.is(cut, null, 'the kill cut the command');
    assert.equal(await stopService(service, 'SIGKILL'), { code: null, signal: 'SIGKILL' });
    const restarted = await startService(env);
    try {
      const get = async (path: string) => (await fetch(`${restarted.url}${path}`, { headers: AUTH })).json();
      const nic = (await get(`/v1/pcis/${SPARE_NIC}`)) as { dom0_access: string; driver: string };
      assert.equal([nic.dom0_access, nic.driver], ['disabled', 'pciback']);
      const { events } = (await get(`/v1/pcis/${SPARE_NIC}/history`)) as {
        events: { type: string; data: { cause: string; status: string } }[];
      };
      assert.equal(
        events.map((e) => [e.type, e.data.cause, e.data.status]),
        [
          ['DeviceDiscovered', 'discovery', 'enabled'],
          ['Dom0AccessReconciled', 'outside_change', 'disabled'],
        ],
      );
      const state = (await get(`/v1/pcis/${SPARE_NIC}/state`)) as { status: string };
      assert.is(state.status, 'disabled');
    } finally {
      await stopService(restarted);
    }
  } finally {
    rmSync(sys.root, { recursive: true, force: true });
  }
});

test.run();
