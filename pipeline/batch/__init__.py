"""The nightly build: discovery, incremental state, atomic writes, locking, the parallel run."""

from pipeline.batch.build import BuildOptions, BuildResult, ProjectResult, Status, build

__all__ = ["BuildOptions", "BuildResult", "ProjectResult", "Status", "build"]
