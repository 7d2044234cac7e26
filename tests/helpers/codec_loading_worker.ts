/**
 * A worker for `thumbnail_codec_test.ts`: with WebAssembly's streaming
 * compilation replaced by a stub that counts its calls and fails, it
 * loads the thumbnail codecs, renders each image it is sent, and posts
 * the thumbnails' sizes and the count.
 *
 * @module
 */

let streamingCalls = 0;
const refuse = () => {
  streamingCalls++;
  return Promise.reject(new TypeError("Streaming compilation is stubbed"));
};
Object.assign(WebAssembly, {
  instantiateStreaming: refuse,
  compileStreaming: refuse,
});

// Loaded after the stub, so the codecs meet it from their first call.
const { prepareCodecs, renderThumbnail } = await import(
  "../../lib/server/thumbnail/codec.ts"
);

const scope = self as unknown as Worker;
scope.onmessage = async (event: MessageEvent<Uint8Array[]>) => {
  await prepareCodecs();
  const sizes: string[] = [];
  for (const bytes of event.data) {
    try {
      const thumb = await renderThumbnail(bytes);
      sizes.push(`${thumb.width}x${thumb.height}`);
    } catch (err) {
      sizes.push(err instanceof Error ? err.message : String(err));
    }
  }
  scope.postMessage({ sizes, streamingCalls });
};
