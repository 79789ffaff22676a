/**
 * Reads a PDF page's content stream just far enough to tell whether the page is "one picture":
 * it draws XObjects (whose names and placement it reports) and paints nothing else that is
 * visible. Invisible OCR text (render mode 3, as "searchable PDF" scanners write it) and
 * clipping rectangles are allowed; anything else visible makes the page one to render.
 */

/** PDF matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = [number, number, number, number, number, number];

export interface XObjectDraw {
  /** Resource name without the slash, e.g. "Im0". */
  name: string;
  /** Current transformation matrix when drawn: maps the unit square to the page. */
  ctm: Matrix;
}

export interface Rect {
  left: number;
  bottom: number;
  right: number;
  top: number;
}

export interface ContentSummary {
  draws: XObjectDraw[];
  /** ExtGState resource names used with `gs`. */
  graphicsStates: string[];
  /** Clipping rectangles, in page space. */
  clips: Rect[];
  /** Why the page paints more than XObjects (first found), or undefined when it does not. */
  visiblePainting?: string;
}

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

export function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

function transformRect(x: number, y: number, w: number, h: number, m: Matrix): Rect {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [px, py] of [[x, y], [x + w, y], [x, y + h], [x + w, y + h]]) {
    xs.push(m[0] * px + m[2] * py + m[4]);
    ys.push(m[1] * px + m[3] * py + m[5]);
  }
  return { left: Math.min(...xs), bottom: Math.min(...ys), right: Math.max(...xs), top: Math.max(...ys) };
}

type Operand = number | { name: string } | 'other';

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** Operators that only change state or mark content: they paint nothing. */
const STATE_ONLY = new Set([
  'w', 'J', 'j', 'M', 'd', 'ri', 'i', 'BMC', 'BDC', 'EMC', 'MP', 'DP', 'BX', 'EX',
  'CS', 'cs', 'SC', 'SCN', 'sc', 'scn', 'G', 'g', 'RG', 'rg', 'K', 'k', 'd0', 'd1',
  'Tc', 'Tw', 'Tz', 'TL', 'Tf', 'Ts', 'Td', 'TD', 'Tm', 'T*',
]);
const PATH_BUILDING = new Set(['m', 'l', 'c', 'v', 'y', 'h', 're']);
const PATH_PAINTING = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*']);
const TEXT_SHOWING = new Set(['Tj', 'TJ', "'", '"']);
const INVISIBLE_TEXT_MODE = 3;

/** Summarises one page's content (all its content streams joined, as the PDF spec reads them). */
export function summariseContent(content: Uint8Array): ContentSummary {
  const summary: ContentSummary = { draws: [], graphicsStates: [], clips: [] };
  const stack: Array<{ ctm: Matrix; textMode: number }> = [];
  let ctm: Matrix = IDENTITY;
  let textMode = 0;
  let operands: Operand[] = [];
  let nesting = 0; // inside [ ] or << >>: tokens are one operand
  let pendingRects: Array<[number, number, number, number]> = [];
  let otherPath = false;
  let clipping = false;
  const paint = (why: string) => {
    summary.visiblePainting ??= why;
  };

  const operator = (op: string) => {
    const nums = operands.map((o) => (typeof o === 'number' ? o : Number.NaN));
    switch (op) {
      case 'q':
        stack.push({ ctm, textMode });
        break;
      case 'Q': {
        const saved = stack.pop();
        if (saved) ({ ctm, textMode } = saved);
        break;
      }
      case 'cm':
        if (nums.length === 6 && nums.every(Number.isFinite)) ctm = multiply(nums as Matrix, ctm);
        else paint('a malformed cm operator');
        break;
      case 'Do': {
        const last = operands[operands.length - 1];
        if (last && typeof last === 'object') summary.draws.push({ name: last.name, ctm });
        else paint('a malformed Do operator');
        break;
      }
      case 'gs': {
        const last = operands[operands.length - 1];
        if (last && typeof last === 'object') summary.graphicsStates.push(last.name);
        break;
      }
      case 'Tr':
        textMode = nums[0];
        break;
      case 'BT':
      case 'ET':
        break;
      case 'W':
      case 'W*':
        clipping = true;
        break;
      case 'n':
        if (clipping) {
          if (otherPath || pendingRects.length !== 1) paint('a non-rectangular clipping path');
          else summary.clips.push(transformRect(...pendingRects[0], ctm));
        }
        pendingRects = [];
        otherPath = false;
        clipping = false;
        break;
      case 'sh':
        paint('a shading');
        break;
      case 'BI':
        paint('an inline image');
        break;
      default:
        if (TEXT_SHOWING.has(op)) {
          if (textMode !== INVISIBLE_TEXT_MODE) paint('visible text');
        } else if (op === 're') {
          if (nums.length === 4 && nums.every(Number.isFinite)) pendingRects.push(nums as [number, number, number, number]);
          else otherPath = true;
        } else if (PATH_BUILDING.has(op)) {
          otherPath = true;
        } else if (PATH_PAINTING.has(op)) {
          paint('vector graphics');
          pendingRects = [];
          otherPath = false;
          clipping = false;
        } else if (!STATE_ONLY.has(op)) {
          paint(`the operator "${op}"`);
        }
    }
    operands = [];
  };

  const bytes = content;
  let i = 0;
  while (i < bytes.length && summary.visiblePainting === undefined) {
    const byte = bytes[i];
    if (WHITESPACE.has(byte)) {
      i++;
    } else if (byte === 0x25) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
    } else if (byte === 0x28) {
      // literal string: balanced parentheses, backslash escapes the next byte
      let depth = 0;
      do {
        if (bytes[i] === 0x5c) i++;
        else if (bytes[i] === 0x28) depth++;
        else if (bytes[i] === 0x29) depth--;
        i++;
      } while (i < bytes.length && depth > 0);
      if (nesting === 0) operands.push('other');
    } else if (byte === 0x3c && bytes[i + 1] === 0x3c) {
      nesting++;
      i += 2;
    } else if (byte === 0x3e && bytes[i + 1] === 0x3e) {
      nesting = Math.max(0, nesting - 1);
      i += 2;
      if (nesting === 0) operands.push('other');
    } else if (byte === 0x3c) {
      while (i < bytes.length && bytes[i] !== 0x3e) i++;
      i++;
      if (nesting === 0) operands.push('other');
    } else if (byte === 0x5b) {
      nesting++;
      i++;
    } else if (byte === 0x5d) {
      nesting = Math.max(0, nesting - 1);
      i++;
      if (nesting === 0) operands.push('other');
    } else if (byte === 0x2f) {
      let end = i + 1;
      while (end < bytes.length && !WHITESPACE.has(bytes[end]) && !DELIMITERS.has(bytes[end])) end++;
      const raw = Buffer.from(bytes.subarray(i + 1, end)).toString('latin1');
      const name = raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (nesting === 0) operands.push({ name });
      i = end;
    } else if (byte === 0x7b || byte === 0x7d || byte === 0x29 || byte === 0x3e) {
      i++; // stray delimiter: ignore, as viewers do
    } else {
      let end = i;
      while (end < bytes.length && !WHITESPACE.has(bytes[end]) && !DELIMITERS.has(bytes[end])) end++;
      const word = Buffer.from(bytes.subarray(i, end)).toString('latin1');
      i = end;
      if (nesting > 0) continue;
      if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) operands.push(Number(word));
      else if (word === 'true' || word === 'false' || word === 'null') operands.push('other');
      else operator(word);
    }
  }
  return summary;
}
