"""The shared store with its data files in S3-compatible storage: a real object store (moto's
server, with signatures and IAM checked), a real PostgreSQL catalog, nothing mocked."""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import time

import boto3
import duckdb
import pandas as pd
import pytest

from alignment.loadtest import free_port
from alignment.queries import run_query
from alignment.store import Store, StoreError

HOST = "127.0.0.1"
_buckets = itertools.count(1)


class S3Server:
    """moto's S3 on a free port of this machine, enforcing credentials after the three requests
    that make its one user (INITIAL_NO_AUTH_ACTION_COUNT): a wrong key is refused as on AWS."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((HOST, self.port), 0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("moto's S3 server did not start", pytrace=False)
                time.sleep(0.05)
        iam = boto3.client("iam", endpoint_url=self.endpoint, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="lake")
        iam.put_user_policy(UserName="lake", PolicyName="s3", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="lake")["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]

    def client(self):  # noqa: ANN201 - boto3's client class is made at run time
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="module")
def s3_server():
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch):
    """A fresh bucket, and the standard AWS variables naming it (as an operator would set them)."""
    bucket = f"lake-{next(_buckets)}"
    client = s3_server.client()
    client.create_bucket(Bucket=bucket)
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "ALIGNMENT_S3_URL_STYLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    return client, bucket


def keys(client, bucket: str) -> list[str]:  # noqa: ANN001
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def frame(units: dict[str, int]) -> pd.DataFrame:
    """One spend row of 1.0 per unit count: {'A': 3} is three rows of business unit A."""
    rows = [(unit, 1.0) for unit, n in units.items() for _ in range(n)]
    return pd.DataFrame({"period": [pd.Timestamp("2025-01-01").date()] * len(rows),
                         "business_unit": [u for u, _ in rows], "actual": [a for _, a in rows]})


def actual_by_unit(store: Store) -> dict[str, float]:
    rows = run_query(store.cursor(), "budget_vs_actual", {"group_by": "business_unit"}).to_dict("records")
    return {r["category"]: r["actual"] for r in rows}


READER = """
import sys
from alignment.store import Store
with Store(sys.argv[1], read_only=True) as s:
    print(s.cursor().execute("SELECT coalesce(sum(actual), 0) FROM spend").fetchone()[0])
"""


def test_a_lake_on_s3_uploads_analyses_undoes_and_is_seen_by_another_process(s3, postgres):
    client, bucket = s3
    location = postgres.lake(data_path=f"s3://{bucket}/prod/lake/")
    with Store(location) as store:
        # more rows than DuckLake inlines into its catalog (10), so each upload is a Parquet file
        first = store.add_batch("spend", frame({"A": 30, "B": 12}))
        store.add_batch("spend", frame({"A": 20}))
        assert actual_by_unit(store) == {"A": 50.0, "B": 12.0}
        store.undo(first)
        assert actual_by_unit(store) == {"A": 20.0}
        store.add_batch("spend", frame({"C": 40}), mode="replace")
        assert actual_by_unit(store) == {"C": 40.0}
    files = keys(client, bucket)
    assert files and all(k.startswith("prod/lake/") for k in files)  # the data files, under the prefix only
    assert sum(k.endswith(".parquet") for k in files) >= 3  # the three uploads' rows at least
    seen = subprocess.run([sys.executable, "-c", READER, location], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=os.getcwd()))
    assert seen.returncode == 0, seen.stderr
    assert float(seen.stdout.strip()) == 40.0  # another process, another DuckDB: the replace it did not make


def test_wrong_credentials_are_said_in_words_without_the_secret(s3, postgres, monkeypatch, s3_server):
    _, bucket = s3
    location = postgres.lake(data_path=f"s3://{bucket}/lake/")
    wrong = "Wr0ng/Secret+Key-that-must-never-show"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    with pytest.raises(StoreError, match="refused AWS_SECRET_ACCESS_KEY") as refused:
        Store(location)
    said = str(refused.value) + repr(refused.value) + str(refused.value.__cause__)
    assert wrong not in said and s3_server.key_id not in said and "HTTP" not in said
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret)
    missing = postgres.lake(data_path="s3://no-such-bucket/lake/")
    with pytest.raises(StoreError, match="the bucket does not exist") as refused:
        Store(missing)
    assert s3_server.secret not in str(refused.value)


def test_the_secret_cannot_be_read_back_through_sql(s3, postgres, s3_server):
    _, bucket = s3
    with Store(postgres.lake(data_path=f"s3://{bucket}/lake")) as store:
        cur = store.cursor()
        shown = str(cur.execute("SELECT * FROM duckdb_secrets()").fetchall())
        assert "alignment_lake" in shown and s3_server.secret not in shown
        with pytest.raises(duckdb.Error):
            cur.execute("SELECT * FROM duckdb_secrets(redact := false)").fetchall()
        with pytest.raises(duckdb.Error):
            cur.execute("SET allow_unredacted_secrets = true")


def test_the_lake_reaches_its_prefix_and_nothing_else(s3, postgres, s3_server):
    """The analyses' connection reads and writes under DATA_PATH only: not the rest of its bucket,
    another bucket, a sibling prefix that merely starts alike, or any http(s) URL; the explorer's
    sandbox reaches no URL at all."""
    from alignment import explorer
    from alignment.readonly import QueryError

    client, bucket = s3
    client.create_bucket(Bucket=f"{bucket}-other")
    for where in ((bucket, "outside.csv"), (bucket, "lake2/x.csv"), (f"{bucket}-other", "x.csv")):
        client.put_object(Bucket=where[0], Key=where[1], Body=b"a,b\n1,2\n")
    with Store(postgres.lake(data_path=f"s3://{bucket}/lake")) as store:
        store.add_batch("spend", frame({"A": 1}))
        cur = store.cursor()
        for url in (f"s3://{bucket}/outside.csv", f"s3://{bucket}/lake2/x.csv", f"s3://{bucket}-other/x.csv",
                    f"{s3_server.endpoint}/{bucket}-other/x.csv", "https://example.com/x.csv"):
            with pytest.raises(duckdb.PermissionException):
                cur.execute(f"SELECT * FROM read_csv('{url}')").fetchall()
        for url in (f"s3://{bucket}/lake/../outside.csv", f"s3://{bucket}/lake/../../{bucket}-other/x.csv"):
            # DuckDB's own check lets '..' in a URL through; the request is still refused, since
            # it is signed for a path other than the one the object store reads (DuckDB 1.5.5)
            with pytest.raises(duckdb.Error):
                cur.execute(f"SELECT * FROM read_csv('{url}')").fetchall()
        for url in (f"s3://{bucket}-other/x.csv", f"{s3_server.endpoint}/{bucket}-other/x.csv"):
            with pytest.raises(QueryError):
                explorer.run(store, f"SELECT * FROM read_csv('{url}')")
        assert explorer.run(store, "SELECT sum(actual) AS t FROM spend").df()["t"].tolist() == [1.0]


def cli(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "alignment", *args], capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def test_the_command_line_takes_an_s3_lake_in_db(s3, postgres, tmp_path):
    """--db was a Path, which turned s3://bucket into s3:/bucket: the location is now read as written."""
    client, bucket = s3
    location = postgres.lake(data_path=f"s3://{bucket}/cli/")
    sheet = tmp_path / "gl.csv"
    sheet.write_text("Period,Unit,Spend\n" + "".join(f"2025-01,Retail,{n}\n" for n in range(1, 21)))
    code, out, err = cli("ingest", str(sheet), "--dataset", "spend", "--db", location, "--map", "Unit=business_unit")
    assert code == 0 and json.loads(out)["rows_loaded"] == 20, out + err
    code, out, err = cli("sql", "SELECT sum(actual) AS total FROM spend", "--db", location)
    assert code == 0 and json.loads(out) == [{"total": 210.0}], err  # 1 + 2 + … + 20
    assert any(k.startswith("cli/") and k.endswith(".parquet") for k in keys(client, bucket))
    code, out, err = cli("sql", "SELECT 1", "--db", location.replace(f"s3://{bucket}/", "gs://elsewhere/"))
    assert code == 1 and "S3-compatible storage" in err and "Traceback" not in err
