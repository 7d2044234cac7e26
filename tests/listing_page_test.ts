import assert from "node:assert/strict";
import type { ListingEntry } from "../lib/server/listing/entries.ts";
import {
  entryHref,
  formatListingTime,
  LISTING_CSP,
  renderListingHtml,
} from "../lib/server/listing/page.ts";
import { DEFAULT_SORT } from "../lib/server/listing/sort.ts";
import { escapeHtml } from "../lib/common/html.ts";

function file(name: string, size = 0, mime = "text/plain"): ListingEntry {
  return { name, isDirectory: false, size, mtimeMs: 0, mime };
}

const NASTY = [
  "<img src=x onerror=alert(1)>.txt",
  "a&b.txt",
  "100%.txt",
  "spaces here.txt",
  "#hash?.txt",
  "café.txt",
  'say "hi".txt',
  "it's.txt",
];

function rowOf(html: string, href: string): string {
  const at = html.indexOf(`<a href="${href}">`);
  assert.ok(at >= 0, `no link with href ${href}`);
  return html.slice(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at));
}

Deno.test("escapeHtml escapes all five HTML-special characters", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("entryHref percent-encodes one segment and adds / to directories", () => {
  assert.equal(entryHref(file("100%.txt")), "100%25.txt");
  assert.equal(entryHref(file("#hash?.txt")), "%23hash%3F.txt");
  assert.equal(entryHref(file("café.txt")), "caf%C3%A9.txt");
  assert.equal(entryHref(file("a/b")), "a%2Fb");
  assert.equal(entryHref(file("javascript:alert(1)")), "javascript%3Aalert(1)");
  assert.equal(
    entryHref({
      name: "my dir",
      isDirectory: true,
      size: 0,
      mtimeMs: 0,
      mime: null,
    }),
    "my%20dir/",
  );
});

Deno.test("renderListingHtml escapes names in text and encodes them in links", () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: NASTY.map((n) => file(n)),
    sort: DEFAULT_SORT,
  });
  assert.ok(!html.includes("<img"), "raw markup from a name");
  assert.ok(!html.includes('"hi"'), "raw quote from a name");
  for (const name of NASTY) {
    const href = escapeHtml(encodeURIComponent(name));
    const row = rowOf(html, href);
    assert.ok(row.includes(`>${escapeHtml(name)}</a>`), `text of ${name}`);
  }
  assert.ok(
    html.includes(
      '<a href="%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.txt">&lt;img src=x onerror=alert(1)&gt;.txt</a>',
    ),
  );
  assert.ok(html.includes('<a href="it&#39;s.txt">it&#39;s.txt</a>'));
  assert.ok(
    html.includes('<a href="say%20%22hi%22.txt">say &quot;hi&quot;.txt</a>'),
  );
});

Deno.test("renderListingHtml titles the page and escapes the path", () => {
  const html = renderListingHtml({
    urlPath: "/a <b>/c&d/",
    entries: [],
    sort: DEFAULT_SORT,
  });
  assert.ok(html.includes("<title>Index of /a &lt;b&gt;/c&amp;d/</title>"));
  assert.ok(!html.includes("<b>"));
  // Breadcrumbs link each ancestor relatively.
  assert.ok(
    html.includes(
      '<a href="../../">/</a><a href="../">a &lt;b&gt;/</a><a href="./">c&amp;d/</a>',
    ),
  );
  assert.ok(html.includes("This folder is empty."));
});

Deno.test("renderListingHtml has a parent link except at the root", () => {
  const sub = renderListingHtml({
    urlPath: "/sub/",
    entries: [file("x")],
    sort: DEFAULT_SORT,
  });
  const root = renderListingHtml({
    urlPath: "/",
    entries: [file("x")],
    sort: DEFAULT_SORT,
  });
  assert.ok(sub.includes('<a href="../">../</a>'));
  assert.ok(!root.includes('<a href="../">'));
  assert.ok(sub.indexOf('href="../"') < sub.indexOf('href="x"'));
});

Deno.test("renderListingHtml shows human sizes with the exact count as a tooltip", () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: [file("f", 1234)],
    sort: DEFAULT_SORT,
  });
  assert.ok(html.includes('<td class="s" title="1,234 bytes">1.2 KiB</td>'));
});

Deno.test("renderListingHtml shows — and 'directory' for directories", () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: [{
      name: "d",
      isDirectory: true,
      size: 4096,
      mtimeMs: 0,
      mime: null,
    }],
    sort: DEFAULT_SORT,
  });
  assert.ok(
    rowOf(html, "d/").includes(
      '<td class="s">—</td><td class="t">directory</td>',
    ),
  );
});

Deno.test("renderListingHtml links each column header to its sort, toggling the active one", () => {
  const byName = renderListingHtml({
    urlPath: "/",
    entries: [],
    sort: DEFAULT_SORT,
  });
  assert.ok(byName.includes('aria-sort="ascending"><a href="?C=N;O=D">Name'));
  assert.ok(byName.includes('<a href="?C=S;O=A">Size</a>'));
  assert.ok(byName.includes('<a href="?C=T;O=A">Type</a>'));
  assert.ok(byName.includes('<a href="?C=M;O=A">Modified'));
  const bySizeDesc = renderListingHtml({
    urlPath: "/",
    entries: [],
    sort: { column: "size", descending: true },
  });
  assert.ok(
    bySizeDesc.includes('aria-sort="descending"><a href="?C=S;O=A">Size'),
  );
  assert.ok(bySizeDesc.includes('<a href="?C=N;O=A">Name</a>'));
  assert.ok(bySizeDesc.includes('href="?C=S;O=D;format=json"'));
});

Deno.test("renderListingHtml is self-contained: no external URLs", () => {
  const html = renderListingHtml({
    urlPath: "/x/",
    entries: [file("a")],
    sort: DEFAULT_SORT,
  });
  const refs = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);
  for (const ref of refs) assert.ok(!/^(?:[a-z]+:)?\/\//i.test(ref), ref);
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) {
    assert.ok(m[1]!.startsWith('"data:'), m[1]);
  }
  assert.ok(!html.includes("@import"));
  assert.ok(html.includes("prefers-color-scheme:dark"));
  assert.ok(html.includes('name="viewport"'));
  assert.ok(html.includes("<svg"));
});

Deno.test("LISTING_CSP allows exactly the page's own inline script", async () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: [],
    sort: DEFAULT_SORT,
  });
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(script),
  );
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  assert.ok(LISTING_CSP.includes(`'sha256-${hash}'`));
  assert.ok(LISTING_CSP.includes("default-src 'none'"));
});

Deno.test("formatListingTime gives UTC minutes and full ISO, null for bad times", () => {
  assert.deepEqual(formatListingTime(Date.UTC(2024, 4, 1, 12, 34, 56, 789)), {
    text: "2024-05-01 12:34",
    iso: "2024-05-01T12:34:56.789Z",
  });
  assert.equal(formatListingTime(null), null);
  assert.equal(formatListingTime(1e20), null);
});

Deno.test("renderListingHtml renders 10,000 entries", () => {
  const many: ListingEntry[] = [];
  for (let i = 0; i < 10_000; i++) many.push(file(`f${i}`, i));
  const html = renderListingHtml({
    urlPath: "/",
    entries: many,
    sort: DEFAULT_SORT,
  });
  assert.equal(html.match(/<tr class="e f">/g)?.length, 10_000);
});

Deno.test("renderListingHtml shows decodable images as lazy thumbnails from ?thumbnail", () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: [
      file("cat.jpg", 10, "image/jpeg"),
      file("a&b #1.png", 10, "image/png"),
      file("w.webp", 10, "image/webp"),
    ],
    sort: DEFAULT_SORT,
  });
  const imgs = [...html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
  assert.equal(imgs.length, 3);
  for (const img of imgs) {
    assert.ok(img.includes('loading="lazy"'), img);
    assert.ok(img.includes('alt=""'), img);
    assert.ok(/ src="[^"]+\?thumbnail"/.test(img), img);
  }
  assert.ok(html.includes('src="cat.jpg?thumbnail"'));
  // The name is percent-encoded, then escaped, before the query is added.
  assert.ok(html.includes('src="a%26b%20%231.png?thumbnail"'));
  assert.ok(rowOf(html, "cat.jpg").startsWith('<tr class="e f pv">'));
});

Deno.test("renderListingHtml shows SVGs as themselves in an <img>, other undecodable images as an icon", () => {
  const html = renderListingHtml({
    urlPath: "/",
    entries: [
      file("logo.svg", 10, "image/svg+xml"),
      file("a&b #2.svg", 10, "image/svg+xml"),
      file("anim.gif", 10, "image/gif"),
    ],
    sort: DEFAULT_SORT,
  });
  // An <img> runs none of the SVG's script; the thumbnailer cannot draw it.
  assert.ok(
    rowOf(html, "logo.svg").startsWith(
      '<tr class="e f pv"><td class="n"><a href="logo.svg"><img class="th sv" src="logo.svg" alt="" loading="lazy"',
    ),
  );
  assert.ok(html.includes('<img class="th sv" src="a%26b%20%232.svg" '));
  assert.ok(!html.includes(".svg?thumbnail"));
  // GIFs keep the picture icon: the full file is never shrunk by the browser.
  const gif = rowOf(html, "anim.gif");
  assert.ok(gif.startsWith('<tr class="e f pic">'));
  assert.ok(!gif.includes("<img"));
});

Deno.test("renderListingHtml gives audio and video players that preload nothing", () => {
  const html = renderListingHtml({
    urlPath: "/media/",
    entries: [
      file("song one.mp3", 10, "audio/mpeg"),
      file("clip.webm", 10, "video/webm"),
      file("film.mp4", 10, "application/mp4"),
      file("notes.txt", 10),
    ],
    sort: DEFAULT_SORT,
  });
  assert.ok(
    rowOf(html, "song%20one.mp3").includes(
      '<audio controls preload="none" src="song%20one.mp3"></audio>',
    ),
  );
  assert.ok(
    rowOf(html, "clip.webm").includes(
      '<video controls preload="none" src="clip.webm"></video>',
    ),
  );
  assert.ok(rowOf(html, "film.mp4").includes("<video "));
  assert.ok(!rowOf(html, "notes.txt").includes("<audio"));
  assert.equal(html.match(/<audio /g)?.length, 1);
  assert.equal(html.match(/<video /g)?.length, 2);
});

Deno.test("renderListingHtml lays out as a table by default and as a grid when asked", () => {
  const entries = [file("a.png", 1, "image/png")];
  const table = renderListingHtml({
    urlPath: "/",
    entries,
    sort: DEFAULT_SORT,
  });
  assert.ok(table.includes("<body>"));
  assert.ok(
    table.includes(
      '<a href="?C=N;O=A;view=table" data-view="table" aria-current="true">Table</a>',
    ),
  );
  assert.ok(
    table.includes('<a href="?C=N;O=A;view=grid" data-view="grid">Grid</a>'),
  );
  assert.ok(table.includes('<a href="?C=S;O=A">Size</a>'));
  const grid = renderListingHtml({
    urlPath: "/",
    entries,
    sort: DEFAULT_SORT,
    layout: "grid",
  });
  assert.ok(grid.includes('<body class="grid">'));
  assert.ok(grid.includes('data-view="grid" aria-current="true">Grid</a>'));
  // Sorting from the grid stays in the grid, without script.
  assert.ok(grid.includes('<a href="?C=S;O=A;view=grid">Size</a>'));
  // Rows are the same markup in both layouts (CSS switches them).
  assert.equal(rowOf(grid, "a.png"), rowOf(table, "a.png"));
});

Deno.test("LISTING_CSP lets thumbnails and media come from this server only", () => {
  assert.ok(LISTING_CSP.includes("img-src 'self' data:"));
  assert.ok(LISTING_CSP.includes("media-src 'self'"));
  assert.ok(!LISTING_CSP.includes("*"));
  assert.ok(!LISTING_CSP.includes("unsafe-eval"));
});
