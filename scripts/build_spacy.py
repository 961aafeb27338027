"""Builds and saves the project's spaCy pipeline for Rasa's SpacyNLP."""

from __future__ import annotations

import sys
from pathlib import Path

from mfr.medical_entities import PIPELINE_PATH, build_pipeline


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else PIPELINE_PATH
    nlp = build_pipeline()
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"saved spaCy pipeline {nlp.pipe_names} to {out}")


if __name__ == "__main__":
    main()
