import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Serves a built app from `dir` on loopback (scripts/serve.mjs), as a partner's static host
 * would; resolves once it listens. Kill the process when done. */
export function serveStatic(dir: string, port: number): Promise<ChildProcess> {
  const server = spawn("node", [join(repo, "scripts/serve.mjs"), "--dir", dir, "--port", String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((ready) => server.stdout!.once("data", () => ready(server)));
}
