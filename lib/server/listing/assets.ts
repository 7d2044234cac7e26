/**
 * The fixed parts of a listing page: its style sheet (table and grid
 * layouts, light and dark), its icons as CSS masks, its one inline script
 * and the Content-Security-Policy that allows exactly those.
 *
 * @module
 */

import { createHash } from "node:crypto";

function maskIcon(path: string, evenOdd = false): string {
  const rule = evenOdd ? " fill-rule='evenodd'" : "";
  return `url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath${rule} d='${path}'/%3E%3C/svg%3E")`;
}

const FOLDER_ICON = maskIcon(
  "M1 3.5A1.5 1.5 0 0 1 2.5 2h3.6l1.6 1.6h5.8A1.5 1.5 0 0 1 15 5.1v7.4a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 12.5z",
);
const FILE_ICON = maskIcon(
  "M3 1.5A1.5 1.5 0 0 1 4.5 0H10l4 4v10.5a1.5 1.5 0 0 1-1.5 1.5h-8A1.5 1.5 0 0 1 3 14.5zM9.5 1v3.5H13z",
);
const UP_ICON = maskIcon("M8 1.5 2 7.5h4V15h4V7.5h4z");
const PICTURE_ICON = maskIcon(
  "M1 3A1.5 1.5 0 0 1 2.5 1.5h11A1.5 1.5 0 0 1 15 3v10a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 13zM2.5 3v10h11V3zM3.5 12l3-4 2 2.5 1.5-1.5 2.5 3zM10.5 4a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z",
  true,
);
const AUDIO_ICON = maskIcon(
  "M6 3.2 14 1.5v9.8a2.2 2.2 0 1 1-1.5-2.1V4.4L7.5 5.5v7.3a2.2 2.2 0 1 1-1.5-2.1z",
);
const VIDEO_ICON = maskIcon(
  "M1 3.5A1.5 1.5 0 0 1 2.5 2h11A1.5 1.5 0 0 1 15 3.5v9a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 12.5zM6.5 5v6l5-3z",
  true,
);

/**
 * The page's style sheet. Row classes: `e` entry, `d` directory, `f` file,
 * `up` parent; media rows add `pv` (has a thumbnail), `pic` (picture
 * icon), `au` (audio player), `vi` (video player). `body.grid` switches
 * the same markup from a table to cards.
 */
export const LISTING_STYLE = `
:root{color-scheme:light dark;--bg:#faf9fc;--fg:#221d2e;--muted:#6e6781;--line:#e7e2f0;--accent:#5b3fa0;--hover:#f2edfb;--card:#fff;--dir:#7a5cc7;--file:#a29bb3;--pic:#3e8f86;--aud:#b85f8d;--vid:#c27a2c;--legs:#3b2f5c}
@media (prefers-color-scheme:dark){:root{--bg:#16131d;--fg:#ebe7f4;--muted:#a59db7;--line:#2e2839;--accent:#bba2f7;--hover:#221c2e;--card:#1c1826;--dir:#a78bf0;--file:#7f778f;--pic:#62c2b6;--aud:#e08ab6;--vid:#e7a35a;--legs:#9d86e0}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:64rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
header{display:flex;align-items:flex-end;gap:.9rem;margin-bottom:1rem}
header svg{width:44px;height:52px;flex:none}
header svg g{stroke:var(--legs)}
h1{font-size:1.3rem;font-weight:600;margin:0;overflow-wrap:anywhere}
h1 a{color:inherit;text-decoration:none}
h1 a:hover,h1 a:focus-visible{color:var(--accent);text-decoration:underline}
.summary{color:var(--muted);margin:.15rem 0 0;font-size:.88rem}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem 1rem;margin:0 0 .75rem}
#filter{flex:0 1 22rem;min-width:0;margin:0;padding:.45rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:.4rem}
#filter[hidden]{display:none}
.views{display:flex;margin-left:auto;border:1px solid var(--line);border-radius:.4rem;overflow:hidden;font-size:.85rem}
.views a{padding:.35rem .85rem;color:var(--muted);text-decoration:none}
.views a:hover,.views a:focus-visible{color:var(--accent)}
.views a[aria-current]{background:var(--accent);color:var(--bg)}
table{width:100%;border-collapse:collapse;table-layout:fixed}
th.s{width:6rem}th.t{width:13rem}th.m{width:9.75rem}
th{text-align:left;font-size:.76rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-bottom:2px solid var(--line);padding:.45rem .6rem;white-space:nowrap}
th a{color:inherit;text-decoration:none}
th a:hover,th a:focus-visible{color:var(--accent)}
th[aria-sort] a{color:var(--fg)}
td{padding:.42rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:hover{background:var(--hover)}
tr[hidden]{display:none}
td.n a{color:var(--accent);text-decoration:none;overflow-wrap:anywhere}
td.n a:hover,td.n a:focus-visible{text-decoration:underline}
td.n a::before{content:"";display:inline-block;width:1em;height:1em;margin-right:.55em;vertical-align:-.14em;background:var(--file);-webkit-mask:${FILE_ICON} center/contain no-repeat;mask:${FILE_ICON} center/contain no-repeat}
tr.d td.n a::before{background:var(--dir);-webkit-mask-image:${FOLDER_ICON};mask-image:${FOLDER_ICON}}
tr.up td.n a::before{background:var(--muted);-webkit-mask-image:${UP_ICON};mask-image:${UP_ICON}}
tr.pic td.n a::before{background:var(--pic);-webkit-mask-image:${PICTURE_ICON};mask-image:${PICTURE_ICON}}
tr.au td.n a::before{background:var(--aud);-webkit-mask-image:${AUDIO_ICON};mask-image:${AUDIO_ICON}}
tr.vi td.n a::before{background:var(--vid);-webkit-mask-image:${VIDEO_ICON};mask-image:${VIDEO_ICON}}
tr.pv td.n a::before{display:none}
tr.pv td{vertical-align:middle}
tr.pv td.n a{display:flex;align-items:center}
img.th{display:inline-block;flex:none;width:2.6rem;height:2.6rem;margin:-.45rem .6em -.45rem 0;vertical-align:middle;object-fit:cover;border-radius:.3rem;background:var(--hover)}
img.sv{object-fit:contain}
td.n audio,td.n video{display:block;width:100%;max-width:20rem;margin:.45rem 0 .1rem}
td.n audio{height:2.2rem}
td.n video{aspect-ratio:16/9;background:#000;border-radius:.3rem}
.s,.m{white-space:nowrap;font-variant-numeric:tabular-nums}
td.s{text-align:right}
th.s{text-align:right}
td.t,td.m{color:var(--muted)}
td.t{font-size:.9em;overflow-wrap:anywhere}
td.empty{color:var(--muted);font-style:italic;padding:1rem .6rem}
#none{color:var(--muted);font-style:italic;margin:1rem .6rem}
.grid table,.grid thead,.grid tbody{display:block}
.grid thead tr{display:flex;flex-wrap:wrap;gap:0 .3rem;border-bottom:2px solid var(--line);margin-bottom:1rem}
.grid th{border:0;padding:.4rem .5rem}
.grid tbody{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));gap:.9rem}
.grid tbody tr{display:flex;flex-direction:column;background:var(--card);border:1px solid var(--line);border-radius:.6rem;overflow:hidden}
.grid tbody tr:hover{background:var(--hover)}
.grid tbody tr[hidden]{display:none}
.grid td{display:block;border:0;padding:0 .75rem;text-align:left}
.grid td.n{display:flex;flex-direction:column;flex:1;padding:.75rem .75rem .3rem}
.grid td.n a,.grid tr.pv td.n a{display:block}
.grid thead th{width:auto}
.grid td.n a::before{display:block;width:100%;height:8.5rem;margin:0 0 .6rem;-webkit-mask-size:4.5rem;mask-size:4.5rem}
.grid img.th{display:block;width:100%;height:8.5rem;margin:0 0 .6rem;object-fit:contain}
.grid td.n audio,.grid td.n video{max-width:none;margin:.5rem 0 0}
.grid td.n video{order:-1;margin:0 0 .6rem}
.grid tr.vi td.n a::before{display:none}
.grid td.t,.grid tr.d td.s,.grid tr.up td.s{display:none}
.grid td.s,.grid td.m{font-size:.78rem}
.grid td.s{color:var(--muted)}
.grid td.m{padding-bottom:.7rem}
.grid td.empty{padding:1rem}
footer{margin-top:1.25rem;color:var(--muted);font-size:.8rem}
footer a{color:inherit}
.upload{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0 0 .75rem;padding:.5rem .7rem;border:1px dashed var(--line);border-radius:.4rem;font-size:.88rem}
.upload input{flex:0 1 14rem;min-width:0;max-width:100%;font:inherit;color:var(--muted)}
.upload input::file-selector-button{margin-right:.6rem;padding:.3rem .75rem;font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:.4rem;cursor:pointer}
.upload button{padding:.35rem .95rem;font:inherit;font-weight:600;color:var(--bg);background:var(--accent);border:0;border-radius:.4rem;cursor:pointer}
.upload button:hover,.upload button:focus-visible,.upload input::file-selector-button:hover{filter:brightness(1.12)}
.upload progress{flex:1 1 8rem;accent-color:var(--accent)}
.upload output{color:var(--muted)}
.upload progress[hidden]{display:none}
@media (max-width:42rem){#filter{flex:1 1 10rem}.t{display:none}body{font-size:14px}.wrap{padding:1rem .5rem 2rem}td.m{font-size:.85em}th.m,td.m{white-space:normal}th,td{padding-left:.4rem;padding-right:.4rem}th{white-space:normal}th.s{width:4.9rem}th.m{width:5.9rem}.grid tbody{grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.6rem}}
@media (max-width:20rem){.m{display:none}}
`.trim();

/**
 * Progressive enhancement only: without script the filter stays hidden,
 * and the layout links, sorting and players still work. With it: the
 * filter box (press `/`), and the layout switches in place and is
 * remembered in `localStorage` for pages that do not name one.
 */
export const LISTING_SCRIPT =
  `(()=>{const d=document,b=d.body,K="spidey-view",f=d.getElementById("filter"),none=d.getElementById("none"),views=[...d.querySelectorAll(".views a")],sorts=[...d.querySelectorAll("thead a")];` +
  `const apply=v=>{b.classList.toggle("grid",v==="grid");views.forEach(a=>a.toggleAttribute("aria-current",a.dataset.view===v));sorts.forEach(a=>{const u=a.getAttribute("href").replace(/;view=\\w+/,"");a.setAttribute("href",v==="grid"?u+";view=grid":u)})};` +
  `const store=v=>{try{localStorage.setItem(K,v)}catch{}};` +
  `const asked=/(?:^|[;&])view=(grid|table)(?:[;&]|$)/i.exec(location.search.slice(1));` +
  `if(asked)store(asked[1].toLowerCase());else{let v=null;try{v=localStorage.getItem(K)}catch{}if(v==="grid"||v==="table")apply(v)}` +
  `views.forEach(a=>a.addEventListener("click",e=>{e.preventDefault();apply(a.dataset.view);store(a.dataset.view)}));` +
  `const rows=[...d.querySelectorAll("tbody tr.e")];if(!f||rows.length<2)return;const names=rows.map(r=>r.cells[0].textContent.toLowerCase());f.hidden=false;` +
  `const filter=()=>{const q=f.value.trim().toLowerCase();let shown=0;rows.forEach((r,i)=>{const h=q!==""&&!names[i].includes(q);r.hidden=h;if(!h)shown++});none.hidden=shown>0};` +
  `f.addEventListener("input",filter);if(f.value)filter();` +
  `addEventListener("keydown",e=>{if(e.key==="/"&&d.activeElement!==f){e.preventDefault();f.focus()}})})();` +
  // The upload form posts by itself without script; with it, the bytes
  // go by XMLHttpRequest so a bar shows their progress.
  `(()=>{const u=document.getElementById("upload");if(!u||!window.FormData)return;const p=u.querySelector("progress"),m=u.querySelector("output");` +
  `u.addEventListener("submit",e=>{e.preventDefault();const x=new XMLHttpRequest();x.open("POST",u.action);p.value=0;p.hidden=false;m.textContent="";` +
  `x.upload.onprogress=ev=>{if(ev.lengthComputable)p.value=ev.loaded/ev.total};` +
  `x.onload=()=>{if(x.status<400)location.reload();else{p.hidden=true;m.textContent="Upload failed: "+x.status+" "+x.statusText}};` +
  `x.onerror=()=>{p.hidden=true;m.textContent="Upload failed: connection lost"};x.send(new FormData(u))})})();`;

/**
 * The `Content-Security-Policy` for listing pages: inline style, data:
 * icons, thumbnails and media from this server, and exactly our own
 * script (by hash), nothing else. If a name ever slipped past escaping,
 * the browser would still refuse to run it.
 */
export const LISTING_CSP =
  `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'; script-src 'sha256-${
    createHash("sha256").update(LISTING_SCRIPT).digest("base64")
  }'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
