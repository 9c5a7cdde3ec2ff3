import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';

/** How long arrow keys may rest on an option before a `saves` control saves it. */
export const SETTLE_MS = 1200;

const ARROWS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']);

/**
 * A segmented control built from native radio buttons: arrow keys move between options, the
 * group has a name screen readers announce, and the look is a row of joined buttons.
 *
 * With `saves` (a choice that is saved as it is made, like a path's preference) the arrow keys
 * only move: the option they rest on is saved on Enter or Space, when focus leaves the group, or
 * after a pause, so stepping from Never to Always does not save Backup and Secondary on the way. A
 * click saves at once. While `busy` (saving) the group keeps focus and ignores changes; a
 * disabled fieldset would throw focus to the page.
 */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
  busy = false,
  saves = false,
  size = 'md',
  hideLabel = true,
  describedBy,
}: {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; title?: string }>;
  onChange: (value: T) => void;
  disabled?: boolean;
  busy?: boolean;
  saves?: boolean;
  size?: 'sm' | 'md';
  hideLabel?: boolean;
  /** The id of the text that explains the current choice. */
  describedBy?: string;
}) {
  const name = useId();
  const { shown, select, commit, onKeyDown } = useSettling(value, onChange, saves);
  const onBlur = (event: FocusEvent): void => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) commit();
  };
  return (
    <fieldset
      className={`segmented segmented-${size}${busy ? ' is-busy' : ''}`}
      disabled={disabled}
      aria-busy={busy || undefined}
      aria-describedby={describedBy}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    >
      <legend className={hideLabel ? 'visually-hidden' : 'segmented-legend'}>{label}</legend>
      {options.map((option) => (
        <label
          key={option.value}
          className={option.value === shown ? 'is-selected' : undefined}
          title={option.title}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={option.value === shown}
            onChange={() => {
              if (!busy) select(option.value);
            }}
          />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The option shown, and when a change reaches `onChange`: at once, or (with `saves`, after arrow
 * keys) once it settles. `commit` saves a settling option now and says whether there was one.
 */
function useSettling<T extends string>(value: T, onChange: (value: T) => void, saves: boolean) {
  const [pending, setPending] = useState<T | null>(null);
  const arrowed = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ pending, value, onChange });
  useEffect(() => {
    latest.current = { pending, value, onChange };
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  const commit = (): boolean => {
    clearTimeout(timer.current);
    const { pending: next, value: current, onChange: save } = latest.current;
    if (next === null) return false;
    setPending(null);
    if (next !== current) save(next);
    return true;
  };
  const select = (next: T): void => {
    const byArrow = arrowed.current;
    arrowed.current = false;
    if (!saves || !byArrow) {
      clearTimeout(timer.current);
      setPending(null);
      if (next !== value) onChange(next);
      return;
    }
    setPending(next);
    latest.current = { ...latest.current, pending: next };
    clearTimeout(timer.current);
    timer.current = setTimeout(commit, SETTLE_MS);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (ARROWS.has(event.key)) arrowed.current = true;
    else if ((event.key === 'Enter' || event.key === ' ') && commit()) event.preventDefault();
  };
  return { shown: pending ?? value, select, commit, onKeyDown };
}
