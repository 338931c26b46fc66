import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  readonly labelledBy: string;
  readonly onClose: () => void;
  readonly className?: string;
  readonly children: ComponentChildren;
}

/** A native modal dialog: it keeps focus inside, Escape closes it, and focus returns where it was. */
export function Modal({ labelledBy, onClose, className, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    dialog.showModal();
    return () => dialog.close();
  }, []);
  return (
    <dialog ref={ref} class={className} aria-labelledby={labelledBy} onClose={onClose}>
      {children}
    </dialog>
  );
}
