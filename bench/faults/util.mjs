// Small helpers of the fault run (bench/faults.mjs): requests from a chosen loopback address,
// free ports, bounded concurrency and tallies.
import http from "node:http";
import net from "node:net";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const count = (map, key, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

export function countBy(keys) {
  const map = new Map();
  for (const key of keys) count(map, key);
  return map;
}

/** `key ×n; …`, most frequent first. */
export function totalBy(map) {
  return [...map]
    .sort((x, y) => y[1] - x[1])
    .map(([key, n]) => `${key} ×${n}`)
    .join("; ");
}

/** A free port on 127.0.0.1 (the servers are restarted on the same one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One request on a fresh connection from `localAddress`; never throws (`error` says why). */
export function request({
  port,
  method = "GET",
  path,
  headers = {},
  body,
  localAddress = "127.0.0.1",
  timeoutMs = 10000,
}) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const allHeaders = { ...headers };
    if (payload !== undefined) {
      allHeaders["content-type"] ??= "application/json";
      allHeaders["content-length"] = Buffer.byteLength(payload);
    }
    const req = http.request(
      { host: "127.0.0.1", port, method, path, headers: allHeaders, localAddress, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            // Not JSON: `text` has it.
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
        res.on("error", (error) => resolve({ status: null, error: error.code ?? error.message }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error) => resolve({ status: null, error: error.code ?? error.message }));
    req.end(payload);
  });
}

/** Runs `task` over `items`, `concurrency` at a time. */
export async function pool(items, concurrency, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(workers);
}
