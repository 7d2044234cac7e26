/**
 * Checks that a chart is readable at the size it is drawn: every piece
 * of text lies inside the picture and no two pieces of text overlap, and
 * no line or shape leaves the picture. gnuplot places the text, so the
 * check reads the SVG it wrote: each `<text>` sits in a `<g>` whose
 * transform gives its anchor point (and a rotation for the y label), and
 * its box follows from the font size, the anchor and the text's length.
 * The width is an estimate (0.6 em per character, wider than most
 * characters of a sans font), so it errs towards reporting overlaps.
 *
 * @module
 */

/** A text's box on the picture, in SVG units. */
export interface TextBox {
  /** The text. */
  text: string;
  /** Left edge. */
  x0: number;
  /** Right edge. */
  x1: number;
  /** Top edge. */
  y0: number;
  /** Bottom edge. */
  y1: number;
}

/** Average character width as a share of the font size (generous). */
const CHAR_EM = 0.6;

const GROUP =
  /<g transform="translate\(([-\d.]+),([-\d.]+)\)( rotate\((-?\d+)\))?"([^>]*)>\s*<text>([\s\S]*?)<\/text>/g;

function attribute(attrs: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1];
}

function plainText(markup: string): string {
  return markup.replace(/<[^>]+>/g, "").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&").replaceAll(
      "&quot;",
      '"',
    )
    .trim();
}

/** The boxes of every non-empty text in `svg`. */
export function textBoxes(svg: string): TextBox[] {
  const boxes: TextBox[] = [];
  for (const m of svg.matchAll(GROUP)) {
    const text = plainText(m[6]!);
    if (text === "") continue;
    const x = Number(m[1]);
    const y = Number(m[2]);
    const rotated = m[4] !== undefined && Number(m[4]) % 180 !== 0;
    const size = Number(attribute(m[5]!, "font-size") ?? "12");
    const anchor = attribute(m[5]!, "text-anchor") ?? "start";
    const width = text.length * size * CHAR_EM;
    // Along the text: where it starts relative to the anchor point.
    const start = anchor === "end"
      ? -width
      : anchor === "middle"
      ? -width / 2
      : 0;
    // Across the text: ascent above the baseline, descent below.
    const above = 0.8 * size;
    const below = 0.25 * size;
    boxes.push(
      rotated
        ? {
          text,
          x0: x - above,
          x1: x + below,
          y0: y - start - width,
          y1: y - start,
        }
        : {
          text,
          x0: x + start,
          x1: x + start + width,
          y0: y - above,
          y1: y + below,
        },
    );
  }
  return boxes;
}

/** The picture's width and height from the `<svg>` element's viewBox. */
export function viewBox(svg: string): { width: number; height: number } {
  const m = /viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/.exec(svg);
  if (m === null) return { width: Infinity, height: Infinity };
  return { width: Number(m[3]), height: Number(m[4]) };
}

function overlap(a: TextBox, b: TextBox): boolean {
  // Half a unit of slack: gnuplot's own stacked key lines touch exactly.
  const slack = 0.5;
  return a.x0 < b.x1 - slack && b.x0 < a.x1 - slack &&
    a.y0 < b.y1 - slack && b.y0 < a.y1 - slack;
}

/**
 * Points of every `<path d=…>` drawn (its `M`/`L` coordinates); paths
 * with an `id` are point-symbol definitions around (0, 0), not drawings.
 */
function pathPoints(svg: string): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  for (const m of svg.matchAll(/<path([^>]*)\sd='([^']*)'/g)) {
    if (/\sid=/.test(m[1]!)) continue;
    for (const p of m[2]!.matchAll(/([-\d.]+),([-\d.]+)/g)) {
      points.push({ x: Number(p[1]), y: Number(p[2]) });
    }
  }
  return points;
}

/**
 * What makes a chart unreadable: text outside the picture, text over
 * other text, lines or shapes outside the picture. Empty when readable.
 */
export function layoutProblems(svg: string): string[] {
  const { width, height } = viewBox(svg);
  const problems: string[] = [];
  const boxes = textBoxes(svg);
  for (const b of boxes) {
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > width || b.y1 > height) {
      problems.push(`text "${b.text}" runs outside the picture`);
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (overlap(boxes[i]!, boxes[j]!)) {
        problems.push(
          `text "${boxes[i]!.text}" overlaps "${boxes[j]!.text}"`,
        );
      }
    }
  }
  const outside = pathPoints(svg).filter((p) =>
    p.x < 0 || p.y < 0 || p.x > width || p.y > height
  );
  if (outside.length > 0) {
    problems.push(
      `${outside.length} drawn points lie outside the picture, e.g. (${
        outside[0]!.x
      }, ${outside[0]!.y})`,
    );
  }
  return problems;
}
