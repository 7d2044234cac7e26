import assert from "node:assert/strict";
import {
  acceptMatch,
  chooseListingFormat,
  pageQueryOf,
  parseListingQuery,
  prefersJson,
  sortQueryOf,
} from "../lib/server/listing/query.ts";

Deno.test("parseListingQuery defaults to name ascending with no format or layout", () => {
  assert.deepEqual(parseListingQuery(""), {
    sort: { column: "name", descending: false },
    format: null,
    layout: null,
  });
});

Deno.test("parseListingQuery reads Apache's C and O, split by ; or &", () => {
  assert.deepEqual(parseListingQuery("C=S;O=D").sort, {
    column: "size",
    descending: true,
  });
  assert.deepEqual(parseListingQuery("C=M&O=A").sort, {
    column: "modified",
    descending: false,
  });
  assert.deepEqual(parseListingQuery("O=D;C=t").sort, {
    column: "type",
    descending: true,
  });
});

Deno.test("parseListingQuery ignores unknown keys and values", () => {
  assert.deepEqual(parseListingQuery("C=X;O=Z;foo=bar;=;C").sort, {
    column: "name",
    descending: false,
  });
  assert.equal(parseListingQuery("format=xml").format, null);
});

Deno.test("parseListingQuery reads format=json and format=html", () => {
  assert.equal(parseListingQuery("format=json").format, "json");
  assert.equal(parseListingQuery("C=S;O=D;format=json").format, "json");
  assert.equal(parseListingQuery("format=html").format, "html");
});

Deno.test("parseListingQuery reads view=grid and view=table, ignoring others", () => {
  assert.equal(parseListingQuery("view=grid").layout, "grid");
  assert.equal(parseListingQuery("C=S;O=D&view=GRID").layout, "grid");
  assert.equal(parseListingQuery("view=table;C=M").layout, "table");
  assert.equal(parseListingQuery("view=cards").layout, null);
  assert.equal(parseListingQuery("C=S;view=grid").sort.column, "size");
});

Deno.test("pageQueryOf names the grid and leaves the table implicit", () => {
  const sort = { column: "size", descending: true } as const;
  assert.equal(pageQueryOf(sort, "table"), "C=S;O=D");
  assert.equal(pageQueryOf(sort, "grid"), "C=S;O=D;view=grid");
  assert.equal(parseListingQuery(pageQueryOf(sort, "grid")).layout, "grid");
});

Deno.test("sortQueryOf writes what parseListingQuery reads", () => {
  for (const q of ["C=N;O=A", "C=S;O=D", "C=M;O=A", "C=T;O=D"]) {
    assert.equal(sortQueryOf(parseListingQuery(q).sort), q);
  }
});

Deno.test("acceptMatch takes the q of the most specific range", () => {
  assert.deepEqual(
    acceptMatch("*/*;q=0.5, application/json;q=0.2", "application/json"),
    {
      quality: 0.2,
      specificity: 2,
    },
  );
  assert.deepEqual(
    acceptMatch("application/*;q=0.7, */*", "application/json"),
    {
      quality: 0.7,
      specificity: 1,
    },
  );
  assert.deepEqual(acceptMatch("image/png", "text/html"), {
    quality: 0,
    specificity: -1,
  });
  assert.equal(
    acceptMatch("text/html;q=2, */*;q=0.1", "text/html").quality,
    0.1,
  );
});

Deno.test("prefersJson follows q-values between JSON and HTML", () => {
  assert.equal(prefersJson(undefined), false);
  assert.equal(prefersJson("*/*"), false);
  assert.equal(prefersJson("application/json"), true);
  assert.equal(prefersJson("Application/JSON"), true);
  assert.equal(prefersJson("text/html, application/json;q=0.9"), false);
  assert.equal(prefersJson("text/html;q=0.5, application/json"), true);
  assert.equal(prefersJson("application/json;q=0, */*"), false);
  // What browsers send:
  assert.equal(
    prefersJson(
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ),
    false,
  );
});

Deno.test("prefersJson breaks q ties by specificity", () => {
  // What many HTTP libraries send: JSON named, HTML only by wildcard.
  assert.equal(prefersJson("application/json, text/plain, */*"), true);
  assert.equal(prefersJson("application/json, text/html"), false);
});

Deno.test("chooseListingFormat lets ?format= override Accept", () => {
  assert.equal(
    chooseListingFormat(parseListingQuery("format=json"), "text/html"),
    "json",
  );
  assert.equal(
    chooseListingFormat(parseListingQuery("format=html"), "application/json"),
    "html",
  );
  assert.equal(
    chooseListingFormat(parseListingQuery(""), "application/json"),
    "json",
  );
  assert.equal(chooseListingFormat(parseListingQuery(""), undefined), "html");
});
