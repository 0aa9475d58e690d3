"""Session fixtures: the compiled schema, the corpus, and the probe's answers.

Environment:
  SUMMIT_CODEC_PROBE    probe executable (default <repo>/.build/debug/summit-codec-probe)
  SUMMIT_PROTOS_DIR     proto root (default <repo>/Protos)
  SUMMIT_CORPUS_SEED    corpus seed (default corpus.DEFAULT_SEED)
  SUMMIT_PROBE_TIMEOUT  seconds one probe run may take (default 120)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import corpus as corpus_mod
import malformed
import probe_client
from protoload import Schema, load_protos

REPO = Path(__file__).resolve().parents[2]


def probe_path() -> Path:
    env = os.environ.get("SUMMIT_CODEC_PROBE")
    return Path(env) if env else REPO / ".build" / "debug" / "summit-codec-probe"


@pytest.fixture(scope="session")
def schema(tmp_path_factory) -> Schema:
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return load_protos(root, tmp_path_factory.mktemp("pb2"))


@pytest.fixture(scope="session")
def seed() -> int:
    return int(os.environ.get("SUMMIT_CORPUS_SEED", corpus_mod.DEFAULT_SEED))


@pytest.fixture(scope="session")
def corpus_cases(schema, seed) -> list[corpus_mod.Case]:
    return corpus_mod.build_corpus(schema.messages, seed)


@pytest.fixture(scope="session")
def crafted_cases(schema) -> list[malformed.Crafted]:
    return malformed.crafted_inputs(schema.messages)


@pytest.fixture(scope="session")
def random_cases(schema, corpus_cases) -> list[tuple[str, str, bytes]]:
    return malformed.random_inputs(schema.messages,
                                   [(c.type_name, c.data) for c in corpus_cases])


@pytest.fixture(scope="session")
def probe() -> Path:
    """The probe executable. Missing means FAIL, never skip: CI must not pass
    without having run the codec."""
    path = probe_path()
    if not path.is_file():
        pytest.fail(f"codec probe not found at {path}: build it (swift build "
                    "--product summit-codec-probe) or set SUMMIT_CODEC_PROBE",
                    pytrace=False)
    if not os.access(path, os.X_OK):
        pytest.fail(f"codec probe at {path} is not executable", pytrace=False)
    return path


@pytest.fixture(scope="session")
def corpus_run(probe, corpus_cases) -> probe_client.Run:
    """The whole corpus through one probe process."""
    return probe_client.run_probe(probe, [(c.type_name, c.data) for c in corpus_cases])


@pytest.fixture(scope="session")
def crafted_run(probe, crafted_cases) -> probe_client.Run:
    return probe_client.run_probe(probe, [(c.type_name, c.data) for c in crafted_cases])


@pytest.fixture(scope="session")
def random_run(probe, random_cases) -> probe_client.Run:
    return probe_client.run_probe(probe, [(name, data) for _, name, data in random_cases])
