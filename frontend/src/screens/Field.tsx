interface Props {
  name: string;
  label: string;
  error?: string;
  type?: string;
  value?: string;
  defaultValue?: string;
  onChange?: (value: string) => void;
  required?: boolean;
  autoComplete?: string;
  step?: string;
}

/** A labelled input with the server's error for it, announced to screen
 *  readers. */
export function Field({ name, label, error, type = 'text', value, defaultValue, onChange, required, autoComplete, step }: Props) {
  const id = `f-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        defaultValue={defaultValue}
        onChange={onChange ? (e) => onChange(e.target.value) : undefined}
        required={required}
        autoComplete={autoComplete}
        step={step}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
