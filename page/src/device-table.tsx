import { useMemo, useState } from 'preact/hooks';
import { hiddenIn } from '../../domain/dom0-access.ts';
import { comparePciAddresses, type PciAddress } from '../../domain/pci-address.ts';
import type { CommandName, PciRecord } from './api-types.ts';
import { protections } from './next-boot.ts';
import { ChoiceField } from './choice-field.tsx';
import { HeldBy, heldUnknown } from './holder.tsx';
import { StatusBadge } from './status-badge.tsx';
import { COMMAND_WORDS, PROBLEM_WORDS, PROTECTION_WORDS, STATUS_WORDS } from './words.ts';

type SortKey = 'id' | 'class' | 'device' | 'status' | 'holder';
interface Sort {
  readonly key: SortKey;
  readonly ascending: boolean;
}

// The service answers canonical addresses (dddd:bb:dd.f): they compare as the hex numbers they are.
const byAddress = (a: PciRecord, b: PciRecord) => comparePciAddresses(a.id as PciAddress, b.id as PciAddress);
/** Words in the reader's collation, then the address: devices with the same words stay in bus order. */
const byWords = (words: (p: PciRecord) => string) => (a: PciRecord, b: PciRecord) =>
  words(a).localeCompare(words(b)) || byAddress(a, b);

const SORTS: Record<SortKey, { readonly label: string; readonly compare: (a: PciRecord, b: PciRecord) => number }> = {
  id: { label: 'Address', compare: byAddress },
  class: { label: 'Class', compare: byWords((p) => p.class_name) },
  device: { label: 'Device', compare: byWords((p) => `${p.vendor_name} ${p.device_name}`) },
  status: { label: 'dom0 access', compare: byWords((p) => STATUS_WORDS[p.dom0_access].label) },
  holder: { label: 'Held by', compare: byWords((p) => p.assigned_to?.name ?? '') },
};
const SORT_KEYS = Object.keys(SORTS) as SortKey[];

const searchText = (p: PciRecord) =>
  [
    p.id,
    p.class_name,
    p.vendor_name,
    p.device_name,
    STATUS_WORDS[p.dom0_access].label,
    p.assigned_to?.name ?? '',
    p.pgpu ? 'pgpu' : '',
    ...protections(p).flatMap((x) => ['protected', x.reason, x.detail]),
  ]
    .join(' ')
    .toLowerCase();

/** The command that changes what the next boot does with a device. */
export const commandFor = (p: PciRecord): CommandName => (hiddenIn(p.dom0_access).pending ? 'unhide' : 'hide');

interface Props {
  readonly pcis: readonly PciRecord[];
  readonly canChange: boolean;
  readonly onCommand: (command: CommandName, records: readonly PciRecord[]) => void;
  readonly onOpen: (id: string) => void;
}

export function DeviceTable({ pcis, canChange, onCommand, onOpen }: Props) {
  const [query, setQuery] = useState('');
  const [className, setClassName] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'id', ascending: true });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const classes = useMemo(() => [...new Set(pcis.map((p) => p.class_name))].sort(), [pcis]);
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const { compare } = SORTS[sort.key];
    return pcis
      .filter((p) => (className === '' || p.class_name === className) && words.every((w) => searchText(p).includes(w)))
      .sort((a, b) => (sort.ascending ? 1 : -1) * compare(a, b));
  }, [pcis, query, className, sort]);
  const chosen = pcis.filter((p) => selected.has(p.id));
  const allShownSelected = shown.length > 0 && shown.every((p) => selected.has(p.id));

  const toggle = (id: string) =>
    setSelected((before) => {
      const next = new Set(before);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const toggleShown = () =>
    setSelected(allShownSelected ? new Set() : new Set([...selected, ...shown.map((p) => p.id)]));
  const header = (key: SortKey, label = SORTS[key].label) => (
    <th key={key} scope="col" aria-sort={sort.key === key ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => setSort({ key, ascending: sort.key === key ? !sort.ascending : true })}
      >
        {label}
        <span class="sort-mark" aria-hidden="true">
          {sort.key === key ? (sort.ascending ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );

  return (
    <section class="devices card" aria-labelledby="devices-title">
      <div class="devices-head">
        <h2 id="devices-title">PCI devices</h2>
        <p class="muted" role="status">
          {shown.length === pcis.length ? `${pcis.length} devices` : `${shown.length} of ${pcis.length} devices shown`}
        </p>
      </div>
      <div class="toolbar">
        <label class="field grow">
          <span>Filter</span>
          <input
            type="search"
            value={query}
            placeholder="address, name, class, status…"
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
        <ChoiceField label="Class" all="All classes" value={className} choices={classes} onChange={setClassName} />
        {/* A phone shows each device as a card, without the column headers that sort: the same sorts, here. */}
        <label class="field sort-choice">
          <span>Sort by</span>
          <select
            value={`${sort.key} ${sort.ascending ? 'ascending' : 'descending'}`}
            onChange={(e) => {
              const [key, order] = e.currentTarget.value.split(' ') as [SortKey, string];
              setSort({ key, ascending: order === 'ascending' });
            }}
          >
            {SORT_KEYS.flatMap((key) =>
              (['ascending', 'descending'] as const).map((order) => (
                <option key={`${key} ${order}`} value={`${key} ${order}`}>
                  {SORTS[key].label}
                  {order === 'descending' ? ', descending' : ''}
                </option>
              )),
            )}
          </select>
        </label>
      </div>
      {canChange && chosen.length > 0 && (
        <div class="batch" role="region" aria-label="Selected devices">
          <span>
            <strong>{chosen.length}</strong> selected
          </span>
          <button type="button" onClick={() => onCommand('hide', chosen)}>
            {COMMAND_WORDS.hide.verb}
          </button>
          <button type="button" onClick={() => onCommand('unhide', chosen)}>
            {COMMAND_WORDS.unhide.verb}
          </button>
          <button type="button" class="quiet" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      <div class="table-wrap">
        <table class="device-table" data-rows={shown.length}>
          <caption class="visually-hidden">
            PCI devices of this host and their dom0 access; column headers sort the table
          </caption>
          <thead>
            <tr>
              {canChange && (
                <th scope="col" class="select">
                  <input
                    type="checkbox"
                    aria-label="Select every device shown"
                    checked={allShownSelected}
                    onChange={toggleShown}
                  />
                </th>
              )}
              {SORT_KEYS.map((key) => header(key))}
              <th scope="col">Safety</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <DeviceRow
                key={p.id}
                record={p}
                canChange={canChange}
                selected={selected.has(p.id)}
                onToggle={() => toggle(p.id)}
                onCommand={(command) => onCommand(command, [p])}
                onOpen={onOpen}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p class="empty">No device matches this filter.</p>}
      </div>
    </section>
  );
}

interface RowProps {
  readonly record: PciRecord;
  readonly canChange: boolean;
  readonly selected: boolean;
  readonly onToggle: () => void;
  readonly onCommand: (command: CommandName) => void;
  readonly onOpen: (id: string) => void;
}

function DeviceRow({ record: p, canChange, selected, onToggle, onCommand, onOpen }: RowProps) {
  const command = commandFor(p);
  const guarded = protections(p);
  const dependencies = p.dependencies;
  const quiet =
    guarded.length === 0 && dependencies.length === 0 && !p.passthrough.ready && p.passthrough.problems.length === 0;
  return (
    <tr data-id={p.id} class={selected ? 'selected' : undefined}>
      {canChange && (
        <td class="select">
          <input type="checkbox" aria-label={`Select ${p.id}`} checked={selected} onChange={onToggle} />
        </td>
      )}
      <th scope="row" class="address">
        <button type="button" class="link mono" onClick={() => onOpen(p.id)}>
          {p.id}
          <span class="visually-hidden"> (history)</span>
        </button>
      </th>
      <td data-label="Class">
        {p.class_name}
        <span class="muted mono small"> {p.class_id}</span>
      </td>
      <td data-label="Device">
        <span class="device-name">{p.device_name}</span>
        {p.pgpu && <span class="tag tag-pgpu">PGPU</span>}
        <span class="muted small block">{p.vendor_name}</span>
      </td>
      <td data-label="dom0 access">
        <StatusBadge status={p.dom0_access} />
      </td>
      <td data-label="Held by" class={p.assigned_to || heldUnknown(p) ? undefined : 'nothing'}>
        <HeldBy record={p} none="—" />
      </td>
      <td data-label="Safety" class={quiet ? 'nothing' : undefined}>
        {[...new Set(guarded.map((g) => g.reason))].map((reason) => (
          <span key={reason} class="protected">
            <span class="tag tag-protected">Protected: {PROTECTION_WORDS[reason]}</span>
            {guarded
              .filter((g) => g.reason === reason)
              .map((g) => (
                <span key={g.detail} class="muted small block">
                  {g.detail}
                </span>
              ))}
          </span>
        ))}
        {dependencies.length > 0 && (
          <span class="small block">
            Dependencies:{' '}
            {dependencies.map((d, i) => (
              <span key={d}>
                {i > 0 && ', '}
                <button type="button" class="link mono" onClick={() => onOpen(d)}>
                  {d}
                </button>
              </span>
            ))}
          </span>
        )}
        {p.passthrough.ready && <span class="tag tag-ready">Ready for passthrough</span>}
        {p.passthrough.problems.map((problem) => (
          <details key={problem.code} class="small problem">
            <summary>{PROBLEM_WORDS[problem.code]}</summary>
            {problem.detail}
          </details>
        ))}
        {quiet && <span class="muted">—</span>}
      </td>
      <td class="actions">
        {canChange && (
          <button type="button" class={command === 'hide' ? 'primary-outline' : ''} onClick={() => onCommand(command)}>
            {COMMAND_WORDS[command].verb}
            <span class="visually-hidden"> {p.id}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
