"""Run one engine job: the part every worker shares, local or remote.

`run_engine_job` takes the engine instances a worker keeps warm, runs the job's model
on its text with throttled, monotonic progress, writes the result to disk and returns
a `Done` or a `Failed`. Whatever the engine does (raises, calls ``sys.exit``), only its
job fails; the worker lives on.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

from .protocol import Done, Failed

log = logging.getLogger("booknlp_jupyter")

PROGRESS_INTERVAL = 0.2  # seconds between forwarded progress reports
ERROR_LIMIT = 2000  # characters of an error message kept
STOPPED = "stopped before it finished"

#: ``report(fraction, stage)``: forwards a job's progress (0..1) and current stage.
ReportProgress = Callable[[float, "str | None"], None]


class Stopped(Exception):
    """Raised inside the engine's progress callback when ``should_stop()`` says so."""


class ProgressThrottle:
    """The engine's progress callback: keeps progress monotonic, forwards at most one
    report per `PROGRESS_INTERVAL` (a stage change always), and stops the job when
    ``should_stop()`` turns true (checked on each forwarded report)."""

    def __init__(self, report: ReportProgress, should_stop: Callable[[], bool] | None = None):
        self.report, self.should_stop = report, should_stop
        self.fraction, self.stage, self.sent_at = 0.0, None, 0.0

    def __call__(self, fraction: float, stage: str | None = None) -> None:
        fraction = min(max(float(fraction), self.fraction), 1.0)
        changed = stage is not None and stage != self.stage
        self.fraction = fraction
        if stage is not None:
            self.stage = stage
        now = time.monotonic()
        if changed or now - self.sent_at >= PROGRESS_INTERVAL:
            self.sent_at = now
            if self.should_stop is not None and self.should_stop():
                raise Stopped(STOPPED)
            self.report(fraction, self.stage)


def describe_error(exc: BaseException) -> str:
    """A job's error message: the exception's type and text, at most `ERROR_LIMIT` long."""
    if isinstance(exc, SystemExit):
        return f"the engine called sys.exit({exc.code!r})"
    detail = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"[:ERROR_LIMIT]


def engine_instance(
    engines: MutableMapping[str, Any],
    registry: Any,
    engine_options: Mapping[str, Mapping[str, Any]],
    model: str,
) -> Any:
    """The warm instance of the engine serving ``model`` (built on first use)."""
    name = registry.engine_name_for(model)
    if name not in engines:
        engines[name] = registry.classes[name](**engine_options.get(name, {}))
    return engines[name]


def run_engine_job(
    engines: MutableMapping[str, Any],
    registry: Any,
    engine_options: Mapping[str, Mapping[str, Any]],
    *,
    job_id: str,
    model: str,
    pipeline: Sequence[str],
    text: Callable[[], str],
    result_path: str,
    report_progress: ReportProgress,
    should_stop: Callable[[], bool] | None = None,
) -> Done | Failed:
    """Run one job: load the model, run it on ``text()``, write the result to
    ``result_path``. ``engines`` (name → instance) is the worker's cache; ``registry``
    an `EngineRegistry`. A job stopped by ``should_stop`` fails with `STOPPED`."""
    from ..results.store import write_result

    started = time.monotonic()
    try:
        engine = engine_instance(engines, registry, engine_options, model)
        progress = ProgressThrottle(report_progress, should_stop)
        content = text()
        progress(0.0, "loading")
        engine.load(model, list(pipeline))
        result = engine.run(content, model=model, pipeline=list(pipeline), progress=progress)
        del content
        progress(progress.fraction, "saving")
        manifest = write_result(result, result_path)
        del result
        return Done(
            job_id,
            token_count=manifest["token_count"],
            etag=manifest["etag"],
            processing_time_ms=int((time.monotonic() - started) * 1000),
        )
    except Stopped:
        return Failed(job_id, STOPPED)
    except SystemExit as exc:
        return Failed(job_id, describe_error(exc))
    except BaseException as exc:  # any engine failure fails its own job only
        log.error("job %s failed:\n%s", job_id, traceback.format_exc())
        return Failed(job_id, describe_error(exc))
