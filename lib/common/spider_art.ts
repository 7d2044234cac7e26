/**
 * spidey's mascot, drawn as inline SVG so that every page carries its own
 * picture whatever the document root holds. Its mood follows the status
 * class: cheerful on success (listings), puzzled for client errors, dizzy
 * for server errors.
 *
 * @module
 */

/** The mascot's expressions. */
export type SpiderMood = "cheerful" | "puzzled" | "dizzy";

/** The mood that fits a status code. */
export function moodOf(status: number): SpiderMood {
  if (status >= 500) return "dizzy";
  if (status >= 400) return "puzzled";
  return "cheerful";
}

function legs(): string {
  const out: string[] = [];
  for (const side of [-1, 1]) {
    for (let i = 0; i < 4; i++) {
      const y = 118 + i * 16;
      const kneeX = 100 + side * (62 + (i % 2) * 8);
      const kneeY = y - 34 + i * 6;
      const footX = 100 + side * (88 - i * 2);
      const footY = y + 26 + i * 10;
      out.push(
        `<path d="M${
          100 + side * 22
        } ${y} Q${kneeX} ${kneeY} ${footX} ${footY}"/>`,
      );
    }
  }
  return out.join("");
}

// The legs never change, so their markup is built once.
const LEGS = legs();

const OPEN_EYES =
  `<circle cx="86" cy="122" r="10" fill="#fff"/><circle cx="114" cy="122" r="10" fill="#fff"/>` +
  `<circle cx="89" cy="124" r="4.5" fill="#222"/><circle cx="117" cy="124" r="4.5" fill="#222"/>`;

const FACES: Record<SpiderMood, { face: string; label: string }> = {
  cheerful: {
    face: OPEN_EYES +
      `<path d="M84 142q16 16 32 0" stroke="#fff" stroke-width="4" fill="none"/>`,
    label: "smiling",
  },
  puzzled: {
    face: OPEN_EYES +
      `<path d="M76 106l16 -5M108 103l16 4" stroke="#fff" stroke-width="3" stroke-linecap="round"/>` +
      `<path d="M88 148q6 -6 12 0t12 0" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round"/>`,
    label: "puzzled",
  },
  dizzy: {
    face:
      `<path d="M80 118l12 12M92 118l-12 12M108 118l12 12M120 118l-12 12" stroke="#fff" stroke-width="4"/>` +
      `<path d="M86 146q14 -10 28 0" stroke="#fff" stroke-width="4" fill="none"/>`,
    label: "looking dizzy",
  },
};

/** The mascot as an SVG element; `status` picks its face. */
export function spiderSvg(status: number): string {
  const { face, label } = FACES[moodOf(status)];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 230" width="200" height="230" role="img" aria-label="spidey, the server's spider, ${label}">` +
    `<line x1="100" y1="0" x2="100" y2="92" stroke="#999" stroke-width="2"/>` +
    `<g stroke="#3b2f5c" stroke-width="6" fill="none" stroke-linecap="round">${LEGS}</g>` +
    `<ellipse cx="100" cy="158" rx="34" ry="38" fill="#5b3fa0"/>` +
    `<circle cx="100" cy="124" r="30" fill="#7a5cc7"/>` +
    face +
    `<circle cx="72" cy="136" r="5" fill="#f49ac1" opacity=".7"/><circle cx="128" cy="136" r="5" fill="#f49ac1" opacity=".7"/>` +
    `</svg>`;
}
