import { useState } from 'react';
import { NumberInput, type NumberInputProps } from '@mantine/core';

const parse = (v: string | number): number | undefined => (typeof v === 'number' ? v : v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

/**
 * A NumberInput over a number-or-nothing value. It keeps what is typed ("1.", "-") while it
 * is not a number yet, and reports numbers (or undefined when empty) to the caller.
 */
export function NumField({ value, onChange, ...rest }: Omit<NumberInputProps, 'value' | 'onChange'> & { value: number | undefined | null; onChange(v: number | undefined): void }) {
  const [text, setText] = useState<string | number>(value ?? '');
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // Changed from outside (the JSON view, a reset): show the new value.
    setSeen(value);
    if (value !== parse(text)) setText(value ?? '');
  }
  return (
    <NumberInput
      {...rest}
      value={text}
      onChange={(v) => {
        setText(v);
        const n = parse(v);
        setSeen(n);
        onChange(n);
      }}
    />
  );
}
