// @ts-check
/**
 * The only way this page puts data into the document: text nodes and attributes, never HTML.
 * A pipeline message is whatever a check wrote, and it is shown exactly as text.
 */

/**
 * Makes an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string | null, title?: string, status?: string | null, attrs?: Record<string, string> }} [props]
 * @param {(Node | string | null | false | undefined)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined && props.text !== null) node.textContent = props.text;
  if (props.title) node.title = props.title;
  if (props.status) node.dataset.status = props.status;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === false || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * Sets an element's text only when it changed, so a refresh does not disturb a selection.
 * @param {Node} node
 * @param {string | null | undefined} text
 */
export function setText(node, text) {
  const value = text ?? '';
  if (node.textContent !== value) node.textContent = value;
}

/**
 * Finds a required element by id.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/**
 * Finds a required element inside `root`, e.g. a part of a tile made from its template.
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {HTMLElement}
 */
export function find(root, selector) {
  const node = root.querySelector(selector);
  if (!(node instanceof HTMLElement)) throw new Error(`missing ${selector}`);
  return node;
}
