"""Settings read from the environment: where the shared store keeps its files, and the S3
credentials it turns into a DuckDB secret (worked out by hand from the variables given)."""

from __future__ import annotations

import pytest

from alignment.config import LakeLocation, LocationError, parse_location, s3_secret

CATALOG = "dbname=alignment host=db user=app"


def test_an_s3_data_path_is_kept_as_written_and_known_as_object_storage():
    lake = parse_location(f"ducklake:postgres:{CATALOG} DATA_PATH=S3://alignment-lake/prod")
    assert lake == LakeLocation(CATALOG, "s3://alignment-lake/prod")
    assert lake.is_s3 and not lake.is_local and lake.folder == "s3://alignment-lake/prod/"
    assert parse_location(str(lake)) == lake
    local = parse_location(f"ducklake:postgres:{CATALOG} DATA_PATH=/shared/lake")
    assert not local.is_s3 and local.is_local and local.folder == local.data_path == "/shared/lake/"


@pytest.mark.parametrize(("data_path", "said"), [
    ("gs://bucket/lake/", "S3-compatible storage"),
    ("https://example.com/lake/", "S3-compatible storage"),
    ("s3:///lake/", "needs a bucket"),
    ("s3://bucket/lake/../other/", "plain prefix"),
])
def test_a_data_path_the_lake_cannot_use_is_refused_in_words(data_path, said):
    with pytest.raises(LocationError, match=said):
        parse_location(f"ducklake:postgres:{CATALOG} DATA_PATH={data_path}")


def test_aws_variables_become_the_secret_s_options():
    options = s3_secret({"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "hush",
                         "AWS_SESSION_TOKEN": "tok", "AWS_DEFAULT_REGION": "eu-west-1"}).options
    assert options == {"REGION": "eu-west-1", "KEY_ID": "AKIA1", "SECRET": "hush", "SESSION_TOKEN": "tok",
                       "URL_STYLE": "vhost"}  # AWS itself: virtual-host style, TLS (DuckDB's default)
    minio = s3_secret({"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "local",
                       "AWS_DEFAULT_REGION": "ignored", "AWS_ENDPOINT_URL": "http://minio:9000/"}).options
    assert minio == {"REGION": "local", "KEY_ID": "k", "SECRET": "s", "ENDPOINT": "minio:9000", "USE_SSL": False,
                     "URL_STYLE": "path"}
    own = s3_secret({"AWS_ENDPOINT_URL": "http://ignored:1", "AWS_ENDPOINT_URL_S3": "https://s3.corp.example",
                     "ALIGNMENT_S3_URL_STYLE": "VHOST"}).options
    assert own == {"REGION": "us-east-1", "ENDPOINT": "s3.corp.example", "USE_SSL": True, "URL_STYLE": "vhost"}


def test_the_secret_never_shows_in_repr_or_str():
    secret = s3_secret({"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "hush-hush"})
    assert "hush-hush" not in repr(secret) and "hush-hush" not in str(secret) and "AKIA1" not in repr(secret)


@pytest.mark.parametrize(("env", "said"), [
    ({"AWS_ACCESS_KEY_ID": "k"}, "set AWS_SECRET_ACCESS_KEY as well"),
    ({"AWS_SECRET_ACCESS_KEY": "only-the-secret"}, "set AWS_ACCESS_KEY_ID as well"),
    ({"AWS_ENDPOINT_URL": "ftp://minio:21"}, "AWS_ENDPOINT_URL must be"),
    ({"AWS_ENDPOINT_URL": "http://minio:9000/some/path"}, "AWS_ENDPOINT_URL must be"),
    ({"ALIGNMENT_S3_URL_STYLE": "virtual"}, "path .* or vhost"),
])
def test_incomplete_or_wrong_s3_settings_are_said_in_words(env, said):
    with pytest.raises(LocationError, match=said) as refused:
        s3_secret(env)
    assert "only-the-secret" not in str(refused.value)
