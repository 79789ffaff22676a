/**
 * Puts the keyboard on a screen's main list once it is shown (autoFocus does nothing for a div):
 * after Alt+1 … Alt+7, a navigation link, "back" or a start, staff can use the arrows at once. It
 * never takes the focus from a field or button the user is on in the screen itself.
 */
import { useEffect, type RefObject } from 'react';

export function useTakeFocus(ref: RefObject<HTMLElement | null>, when: boolean): void {
  useEffect(() => {
    const element = ref.current;
    if (!when || !element) return;
    const current = document.activeElement;
    const idle = !current || current === document.body || current.id === 'main' || current.closest('nav') !== null;
    if (idle) element.focus({ preventScroll: true });
  }, [when]); // eslint-disable-line react-hooks/exhaustive-deps
}
