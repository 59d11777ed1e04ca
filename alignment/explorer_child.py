"""The explorer's child process: reads one request on stdin, answers on stdout, then exits.

Its limits are set before anything else is imported, so no query can take more memory, CPU time
or disk than they allow; the parent also kills it when its time is up. The answer is a 4-byte
length, a JSON header (ok, message, cut_by) and the result as an Arrow IPC stream.
"""

from __future__ import annotations

import json
import resource
import signal
import struct
import sys


def _limit_self(memory: int, timeout: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(timeout * 2) + 5  # a backstop to the parent's kill; two threads may share the time
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file of any size may be written
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails with an error instead


def _reply(out, header: dict, table=None) -> None:  # noqa: ANN001 - a binary stream
    data = json.dumps(header).encode()
    out.write(struct.pack("<I", len(data)) + data)
    if table is not None:
        import pyarrow as pa

        with pa.ipc.new_stream(out, table.schema) as writer:
            writer.write_table(table)
    out.flush()


MEMORY_MESSAGE = ("The query needed more memory than the explorer allows and was stopped; aggregate or filter "
                  "before selecting large values.")


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    _limit_self(int(request["memory"]), float(request["timeout"]))
    out = sys.stdout.buffer
    try:
        import duckdb

        from alignment.readonly import QueryError, public_relations, run_read_only

        con = duckdb.connect(":memory:", config={
            "memory_limit": f"{max(64, int(request['memory']) // 2**20 // 2)}MB", "threads": "2",
            "temp_directory": "", "autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
        directory = request["directory"].rstrip("/") + "/"
        quoted = directory.replace("'", "''")
        con.execute(f"SET allowed_directories = ['{quoted}']")
        con.execute("SET enable_external_access = false")
        for name in public_relations():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{directory}{name}.parquet')")
        con.execute("SET lock_configuration = true")
        result = run_read_only(con.cursor(), request["sql"], timeout=float(request["timeout"]),
                               limit=int(request["limit"]), max_bytes=int(request["max_bytes"]))
    except QueryError as exc:
        _reply(out, {"ok": False, "message": str(exc)})
        return 0
    except MemoryError:
        _reply(out, {"ok": False, "message": MEMORY_MESSAGE})
        return 0
    except Exception as exc:  # noqa: BLE001 - the parent shows a sentence; the details stay in this log
        print(f"explorer query failed: {exc!r}", file=sys.stderr)
        _reply(out, {"ok": False, "message": "The query could not be run."})
        return 0
    _reply(out, {"ok": True, "cut_by": result.cut_by}, result.table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
