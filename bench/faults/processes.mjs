// The fault run's child processes: started, their logs kept and tallied, all killed at exit.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const children = new Set();
const cleanups = [];

/** `step` runs at exit, after every child is killed, the last registered first. */
export function atExit(step) {
  cleanups.push(step);
}

function cleanUp() {
  for (const child of children) child.kill("SIGKILL");
  for (const step of cleanups.splice(0).reverse()) {
    try {
      step();
    } catch {
      // Best effort: the run is over.
    }
  }
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

/** Log lines by level, and the distinct error and warning messages, per process. */
export class LogTally {
  constructor() {
    this.levels = {};
    this.messages = new Map();
  }
  add(line) {
    // tracing's fmt: `2026-12-07T20:00:00.000000Z ERROR target: message key=value`, colours off.
    const match = line.match(/^\S+\s+(ERROR|WARN|INFO|DEBUG|TRACE)\s+(.*)$/);
    if (!match) return;
    const [, level, rest] = match;
    this.levels[level] = (this.levels[level] ?? 0) + 1;
    if (level === "ERROR" || level === "WARN") {
      // Ids, times and numbers vary; what is left says what happened.
      const shape = `${level} ${rest}`
        .replace(/\b[0-9a-f]{16,}\b/g, "…")
        .replace(/\d+(\.\d+)?(ms|µs|s)?\b/g, "N")
        .slice(0, 220);
      this.messages.set(shape, (this.messages.get(shape) ?? 0) + 1);
    }
  }
}

/** Spawns a server, its stderr in `logDir/name.log`; `url` resolves from the first stdout line naming "listening on". */
export function startServer({ name, command, args: commandArgs = [], env, logDir, logTally, onLine }) {
  const logFile = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
  const child = spawn(command, commandArgs, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const stderrTail = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    logFile.write(`${line}\n`);
    logTally?.add(line);
    onLine?.(line);
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
  });
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    // Not started at all (no such file): as an exit, with the reason.
    child.on("error", (error) => {
      stderrTail.push(String(error.message ?? error));
      children.delete(child);
      resolve({ code: error.code ?? "error", signal: null });
    });
  });
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s`)), 30000);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${stderrTail.slice(-5).join(" | ")}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      logFile.write(`stdout: ${line}\n`);
      const match = line.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, url, exited, tail: () => stderrTail.slice() };
}
