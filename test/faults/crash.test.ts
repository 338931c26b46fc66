import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyToPciView, emptyPciView, type PciView } from '../../projections/pci-view.ts';
import { deviceStreamPrefix } from '../../projections/streams.ts';
import { SqliteEventStore } from '../../services/store/sqlite-store.ts';
import { startService, stopService, type ServiceProcess } from '../support/service-process.ts';

// kill -9 at random moments while 8 clients send hide/unhide commands; after
// each restart nothing answered is lost and the views are whole.
const TRIALS = 10;
const COMMANDS = 2000;
const CLIENTS = 8;
const HOST = 'crash-host';
const TOKEN = 'crash-token';
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
  context.seed = Number(process.env.PASSTHRU_CRASH_SEED ?? Date.now() % 100_000);
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

async function send(service: ServiceProcess, requestId: string, pci: string, name: string): Promise<Answer | null> {
  try {
    const response = await fetch(`${service.url}/v1/pcis/${pci}/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': requestId },
    });
    const body = (await response.json()) as { changed?: boolean; event?: { position: number } | null };
    return {
      requestId,
      status: response.status,
      changed: body.changed === true,
      position: body.event?.position ?? null,
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

test('every answered command survives kill -9, and the views equal a rebuild and the host', async ({
  dir,
  env,
  seed,
}) => {
  const next = random(seed);
  let planned = 0;
  const totals = { sent: 0, ok: 0, changed: 0, cut: 0, repaired: 0 };
  for (let trial = 0; trial < TRIALS; trial++) {
    const service = await startService(env);
    const answers: Answer[] = [];
    let sentInTrial = 0;
    let alive = true;
    // A trial's 200 commands take about 30 s here (two xen-cmdline runs each), so the kill lands anywhere in them.
    const killAfter = 200 + next() * 30_000;
    const killer = setTimeout(() => {
      alive = false;
      service.child.kill('SIGKILL');
    }, killAfter);
    const client = async () => {
      while (alive && sentInTrial < COMMANDS / TRIALS) {
        sentInTrial++;
        const n = planned++;
        totals.sent++;
        const pci = DEVICES[Math.floor(next() * DEVICES.length)]!;
        const answer = await send(service, `seed${seed}-cmd${n}`, pci, next() < 0.5 ? 'hide' : 'unhide');
        if (answer) answers.push(answer);
        else totals.cut++;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    clearTimeout(killer);
    await stopService(service, 'SIGKILL');

    const restarted = await startService(env);
    try {
      const { view, byRequest, repairs } = await storedViews(join(dir, 'var', 'events.db'));
      for (const answer of answers) {
        assert.is(answer.status, 200, `seed ${seed}: ${answer.requestId} answered ${answer.status}`);
        if (answer.changed) {
          assert.equal(byRequest.get(answer.requestId), [answer.position], `seed ${seed}: ${answer.requestId} lost`);
        } else assert.is(byRequest.get(answer.requestId), undefined);
      }
      totals.repaired = repairs;
      totals.ok += answers.length;
      totals.changed += answers.filter((a) => a.changed).length;
      for (const pci of DEVICES) {
        const state = (await (
          await fetch(`${restarted.url}/v1/pcis/${pci}/state`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).json()) as { status: string };
        assert.equal(
          state,
          JSON.parse(JSON.stringify(view.devices[pci as keyof PciView['devices']])),
          `seed ${seed}: ${pci} projection`,
        );
        const live = (await (
          await fetch(`${restarted.url}/v1/pcis/${pci}/dom0-access`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).json()) as { status: string };
        assert.is(state.status, live.status, `seed ${seed}: ${pci} projection vs host`);
      }
    } finally {
      await stopService(restarted);
    }
  }
  console.log(
    `crash: seed ${seed}, ${TRIALS} kill -9 trials: ${totals.sent} commands sent, ${totals.ok} answered 200 ` +
      `(${totals.changed} changes, every one found in the store), ${totals.cut} cut by the kill, ` +
      `${totals.repaired} edits without their event repaired by the reconciler at restart`,
  );
});

test.run();
