// A small static server for the demo page and the browser tests.
//   node scripts/serve.mjs --dir dist --port 8080 [--pages e2e/pages --api-base URL] [--compress]
// With --pages, /e2e/<name>.html serves e2e/pages/<name>.html with {{API_BASE}}
// replaced, so test pages point at whichever sandbox the run started; /no-wasm/ serves
// the loader alone (a deployment missing wasm/); GET /__requests lists the paths served
// since the last POST /__requests, so a test in any engine can tell what was fetched. With
// --compress, text and wasm go out as brotli (or gzip) when the browser accepts it, as a CDN
// sends them; with --cors, every answer allows any origin.
import { createServer } from "node:http";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    dir: { type: "string", default: "dist" },
    port: { type: "string", default: "8080" },
    pages: { type: "string" },
    "api-base": { type: "string", default: "http://127.0.0.1:8787" },
    compress: { type: "boolean", default: false },
    cors: { type: "boolean", default: false },
  },
});

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".wasm", ".css", ".svg", ".json"]);
const compressed = new Map();

/** `body` encoded as the request accepts (brotli first). Files are compressed once; pages,
 * whose text depends on --api-base, each time. */
function encode(request, file, body) {
  const accepts = String(request.headers["accept-encoding"] ?? "");
  const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : null;
  if (!args.compress || !encoding || !COMPRESSIBLE.has(extname(file))) return { body, encoding: null };
  const compress = (buffer) =>
    encoding === "br"
      ? brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } })
      : gzipSync(buffer, { level: 9 });
  if (typeof body === "string") return { body: compress(Buffer.from(body)), encoding };
  const key = `${encoding} ${file}`;
  if (!compressed.has(key)) compressed.set(key, compress(body));
  return { body: compressed.get(key), encoding };
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Resolves a URL path inside `root`, refusing `..` escapes. */
function inside(root, urlPath) {
  const path = normalize(join(root, decodeURIComponent(urlPath)));
  return path.startsWith(resolve(root)) ? path : null;
}

const root = resolve(args.dir);
let served = [];
const server = createServer(async (request, response) => {
  const url = new URL(request.url, "http://localhost");
  let path = url.pathname.endsWith("/") ? `${url.pathname}index.html` : url.pathname;
  if (args.pages && path === "/__requests") {
    if (request.method === "POST") served = [];
    response
      .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify(served));
    return;
  }
  if (args.pages) served.push(path);
  if (args.pages && path === "/no-wasm/sir-donate.js") path = "/sir-donate.js";
  let file;
  let body;
  try {
    if (args.pages && path.startsWith("/no-wasm/")) {
      throw new Error("not found");
    } else if (args.pages && path.startsWith("/e2e/")) {
      file = inside(resolve(args.pages), path.slice("/e2e/".length));
      body = (await readFile(file, "utf8")).replaceAll("{{API_BASE}}", args["api-base"]);
    } else {
      file = inside(root, path);
      body = await readFile(file);
    }
  } catch {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" };
  const encoded = encode(request, file, body);
  if (encoded.encoding) {
    headers["content-encoding"] = encoded.encoding;
    headers.vary = "accept-encoding";
  }
  body = encoded.body;
  // --cors: a CDN on another origin, as the README asks it to be (the WordPress tests).
  if (args.cors) headers["access-control-allow-origin"] = "*";
  // A page may ask for a Content-Security-Policy, to prove the widget runs under it.
  const csp = url.searchParams.get("csp");
  if (csp) headers["content-security-policy"] = csp;
  response.writeHead(200, headers).end(body);
});

server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`serve listening on http://127.0.0.1:${server.address().port} (${args.dir})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
