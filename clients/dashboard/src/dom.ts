type Child = Node | string | number | null | undefined | false;

/**
 * Makes an element whose text is always set as text (`textContent`, text
 * nodes), never parsed as HTML: a tenant's file names, reasons and bad rows
 * are shown exactly as they are.
 *
 * @example
 * el('td', { className: 'num' }, 42);
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElementTagNameMap[K], 'className' | 'title' | 'hidden'>> & Record<string, unknown> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role' || name === 'scope' || name === 'colspan') {
      element.setAttribute(name, String(value));
    } else {
      (element as unknown as Record<string, unknown>)[name] = value;
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** An element of the page that must exist. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}
