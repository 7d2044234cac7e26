import assert from "node:assert/strict";
import {
  isThumbnailable,
  mediaKindOf,
  THUMBNAIL_QUERY,
} from "../lib/server/core/media_kind.ts";

Deno.test("mediaKindOf: decodable images, other images, audio, video, the rest", () => {
  assert.equal(mediaKindOf("image/png"), "thumbnail");
  assert.equal(mediaKindOf("image/jpeg"), "thumbnail");
  assert.equal(mediaKindOf("image/webp"), "thumbnail");
  assert.equal(mediaKindOf("image/svg+xml"), "picture");
  assert.equal(mediaKindOf("image/gif"), "picture");
  assert.equal(mediaKindOf("audio/wave"), "audio");
  assert.equal(mediaKindOf("audio/mpeg"), "audio");
  assert.equal(mediaKindOf("video/webm"), "video");
  assert.equal(mediaKindOf("application/mp4"), "video");
  assert.equal(mediaKindOf("text/plain"), null);
  assert.equal(mediaKindOf("application/octet-stream"), null);
  assert.equal(mediaKindOf(null), null);
});

Deno.test("isThumbnailable: any file named as an image", () => {
  assert.equal(THUMBNAIL_QUERY, "thumbnail");
  assert.ok(isThumbnailable("/srv/a/Photo.JPG"));
  assert.ok(isThumbnailable("/srv/a/logo.svg"));
  assert.ok(isThumbnailable("/srv/a/x.webp"));
  assert.ok(!isThumbnailable("/srv/a/song.mp3"));
  assert.ok(!isThumbnailable("/srv/a/README"));
  assert.ok(!isThumbnailable("/srv/a.png/readme.txt"));
});
