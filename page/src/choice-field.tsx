interface Props {
  readonly label: string;
  /** What the empty choice, every one of them, is called. */
  readonly all: string;
  readonly value: string;
  readonly choices: readonly string[];
  readonly onChange: (value: string) => void;
  readonly nameOf?: (choice: string) => string;
}

/** A labelled filter: one of `choices`, or all of them. */
export function ChoiceField({ label, all, value, choices, onChange, nameOf = (choice) => choice }: Props) {
  return (
    <label class="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{all}</option>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {nameOf(choice)}
          </option>
        ))}
      </select>
    </label>
  );
}
