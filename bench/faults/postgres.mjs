// A throwaway PostgreSQL the fault run controls itself (as scripts/with-postgres.sh makes one),
// so it can restart it in the middle of the run.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { atExit } from "./processes.mjs";
import { freePort } from "./util.mjs";

const run = promisify(execFile);

export class Postgres {
  async start() {
    const bins = readdirSync("/usr/lib/postgresql", { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort((a, b) => Number(a) - Number(b));
    if (bins.length === 0) throw new Error("no PostgreSQL server (scripts/setup.sh installs it)");
    this.bin = `/usr/lib/postgresql/${bins.at(-1)}/bin`;
    this.asUser = [];
    this.dir = mkdtempSync(join(tmpdir(), "sir-faults-pg."));
    chmodSync(this.dir, 0o755);
    if (process.getuid() === 0) {
      // PostgreSQL refuses to run as root: as with-postgres.sh, run it as `postgres` (or `nobody`).
      let user = "postgres";
      try {
        execFileSync("id", [user], { stdio: "ignore" });
      } catch {
        user = "nobody";
      }
      const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
      chownSync(this.dir, uid, -1);
      this.asUser = ["runuser", "-u", user, "--"];
    }
    this.port = await freePort();
    // fsync=off spares the shared disk and loses nothing here: an immediate restart kills the
    // server, not the kernel, whose page cache keeps every write. synchronous_commit stays on:
    // off, a crash forgets commits already answered, and the run would blame the partner for them.
    this.options = `-c listen_addresses=127.0.0.1 -p ${this.port} -k ${this.dir} -c fsync=off -c max_connections=300`;
    atExit(() => {
      this.ctlSync(["-m", "immediate", "stop"]);
      rmSync(this.dir, { recursive: true, force: true });
    });
    await this.exec("initdb", ["-D", `${this.dir}/data`, "-U", "sir", "-A", "trust", "-E", "UTF8", "--no-sync"]);
    await this.ctl(["-w", "-t", "30", "-o", this.options, "start"]);
    await this.psql("postgres", "CREATE DATABASE faults");
    this.url = `postgres://sir@127.0.0.1:${this.port}/faults`;
  }

  exec(tool, toolArgs) {
    const [command, ...prefix] = [...this.asUser, `${this.bin}/${tool}`];
    return run(command, [...prefix, ...toolArgs], { timeout: 60000 });
  }

  ctl(ctlArgs) {
    return this.exec("pg_ctl", ["-D", `${this.dir}/data`, "-l", `${this.dir}/server.log`, ...ctlArgs]);
  }

  ctlSync(ctlArgs) {
    const [command, ...prefix] = [...this.asUser, `${this.bin}/pg_ctl`];
    execFileSync(command, [...prefix, "-D", `${this.dir}/data`, ...ctlArgs], { stdio: "ignore", timeout: 30000 });
  }

  /** A crash-like restart: every connection is cut, the server recovers from its WAL. */
  async restart() {
    await this.ctl(["-m", "immediate", "-w", "-t", "60", "-o", this.options, "restart"]);
  }

  /** Rows of a query, as arrays of strings. */
  async psql(database, sql) {
    const { stdout } = await run(
      "psql",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(this.port),
        "-U",
        "sir",
        "-d",
        database,
        "-X",
        "-q",
        "-A",
        "-t",
        "-F",
        "\t",
        "-c",
        sql,
      ],
      { timeout: 30000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\t"));
  }
}
