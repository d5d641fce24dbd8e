"""A real S3-compatible server for the suite: moto in server mode on a free loopback port.

Started once per test session (the `s3_server` fixture in tests/conftest.py); each test that
needs a bucket makes its own, so tests never see each other's objects.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.support.waiting import wait_for

MOTO_SERVER = str(Path(sys.executable).with_name("moto_server"))
ACCESS_KEY = "linkhome-test"
SECRET_KEY = "linkhome-test-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    def __init__(self, log_path: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> S3Server:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the subprocess owns it while it runs
        self.proc = subprocess.Popen(
            [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
        log.close()
        wait_for(self._answers, timeout=30, what="the S3 server to start")
        return self

    def _answers(self) -> bool:
        try:
            self.client().list_buckets()
        except Exception:  # noqa: BLE001 - not listening yet
            return False
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def new_bucket(self) -> str:
        name = f"linkhome-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def env(self, bucket: str) -> dict[str, str]:
        """What a worker process is given to store into `bucket` (the settings' own names)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }

    def storage_settings(self, base: dict[str, Any], bucket: str) -> dict[str, Any]:
        """settings.BUCKET_STORAGE pointed at this server and bucket."""
        options = {
            **base["OPTIONS"],
            "bucket_name": bucket,
            "endpoint_url": self.endpoint,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
        }
        options["client_config"] = options["client_config"].merge(Config(s3={"addressing_style": "path"}))
        return {**base, "OPTIONS": options}
