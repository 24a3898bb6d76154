"""``booknlp-jupyter``: the command line.

``booknlp-jupyter serve --port 8000`` runs the job API standalone at ``/v1/`` (a
Jupyter server with only this extension), for scripts and services outside
Jupyter. It needs a token, printed at start unless given with ``--token``.

``booknlp-jupyter models list|download small|big|import DIR`` manages BookNLP's model
files (default folder ``$BOOKNLP_MODEL_DIR`` or ``~/booknlp_models``; ``--dir`` to choose);
``booknlp-jupyter doctor`` checks what the booknlp engine needs and prints each fix.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence


def _serve(args: argparse.Namespace) -> int:
    from jupyter_server.serverapp import ServerApp
    from traitlets.config import Config

    token = args.token if args.token is not None else secrets.token_hex(24)
    config = Config()
    config.ServerApp.ip = args.ip
    config.ServerApp.port = args.port
    config.ServerApp.port_retries = 0
    config.ServerApp.allow_root = True  # containers and services often run as root
    config.ServerApp.open_browser = False
    config.ServerApp.jpserver_extensions = {"booknlp_jupyter": True}
    # a service that cannot start (e.g. a misspelt engine option) must not serve anyway
    config.ServerApp.reraise_server_extension_failures = True
    config.IdentityProvider.token = token
    config.BookNLPApp.url_prefix = ""
    # the job API only: no kernels, sessions or contents for API users
    config.ServerApp.authorizer_class = "booknlp_jupyter.server.auth.JobsOnlyAuthorizer"
    if token == "":
        # No auth at all: only sensible on loopback for local scripts; JSON-only
        # POSTs still keep browsers on other sites from submitting (CORS preflight).
        config.ServerApp.disable_check_xsrf = True
    for name in ("data_dir", "default_model"):
        if getattr(args, name):
            setattr(config.BookNLPApp, name, getattr(args, name))
    for name in ("max_queue_size", "max_concurrent_jobs"):
        if getattr(args, name) is not None:
            setattr(config.BookNLPApp, name, getattr(args, name))
    if args.hub:
        from .server.hub import hub_service_config

        hub_service_config(config)
    if args.config:
        from traitlets.config.loader import PyFileConfigLoader

        config.merge(PyFileConfigLoader(args.config).load_config())

    app = ServerApp.instance(config=config)
    app.initialize(argv=[], find_extensions=False)
    url = f"http://{app.ip}:{app.port}{app.base_url}v1"
    print(f"BookNLP job API at {url}/", file=sys.stderr, flush=True)
    if token and not args.hub:
        print(f"    Authorization: token {token}", file=sys.stderr, flush=True)
    app.start()
    return 0


def _worker(args: argparse.Namespace) -> int:
    """A GPU worker for a service started with ``BookNLPApp.redis_url``."""
    import logging

    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from .engines import BUILTIN_ENGINES
    from .jobs.remote import serve_worker

    logging.basicConfig(level=logging.INFO, format="[booknlp worker] %(message)s")
    config = PyFileConfigLoader(args.config).load_config() if args.config else Config()
    app = config.get("BookNLPApp", Config())
    serve_worker(
        args.redis_url,
        {**BUILTIN_ENGINES, **dict(app.get("engines", {}))},
        dict(app.get("engine_options", {})),
        name=args.name,
    )
    return 0


def _models(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .engines.booknlp import download, files

    directory = Path(args.dir).expanduser() if args.dir else files.default_model_dir()
    try:
        if args.action == "list":
            print(f"model folder: {directory}")
            for row in files.installed({"model_dir": str(directory)}):
                size = f"{row['size'] / 1e6:9.1f} MB" if row["size"] is not None else "  missing"
                print(f"{row['model']:6} {row['role']:7} {size}  {row['path']}")
            return 0
        if args.action == "download":
            got = download.download(args.target, directory)
            print(f"{args.target}: {len(got)} file(s) downloaded, all present in {directory}")
            return 0
        copied = download.import_dir(Path(args.target), directory)
        for path in copied:
            print(f"imported {path}")
        return 0
    except (OSError, files.ModelFilesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.action == "download":
            print(
                "No network? Fetch the files on another machine "
                f"({files.MODEL_URL.format(name='<name>')}, {files.VOCAB_URL}), then run: "
                "booknlp-jupyter models import DIR",
                file=sys.stderr,
            )
        return 1


def _doctor(args: argparse.Namespace) -> int:
    from .engines.booknlp.doctor import checks

    options = {"model_dir": args.dir} if args.dir else {}
    results = checks(options)
    for what, ok, detail in results:
        print(f"[{'ok' if ok else '!!'}] {what}: {detail}")
    required = [ok for what, ok, _ in results if not what.startswith(("model ", "vocabulary"))]
    models = any(ok for what, ok, _ in results if what.startswith("model "))
    return 0 if all(required) and models else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="booknlp-jupyter", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the job API standalone at /v1/")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--ip", default="127.0.0.1")
    serve.add_argument(
        "--token",
        default=None,
        help="API token (default: a new random one, printed); '' disables auth (loopback only)",
    )
    serve.add_argument("--data-dir", dest="data_dir", default=None)
    serve.add_argument("--default-model", dest="default_model", default=None)
    serve.add_argument("--max-queue-size", dest="max_queue_size", type=int, default=None)
    serve.add_argument("--max-concurrent-jobs", dest="max_concurrent_jobs", type=int, default=None)
    serve.add_argument("--config", default=None, help="a jupyter_server_config.py to load")
    serve.add_argument(
        "--hub",
        action="store_true",
        help="run as a JupyterHub-managed service: hub users, hub OAuth and tokens",
    )
    serve.set_defaults(func=_serve)

    models = sub.add_parser("models", help="list, download or import BookNLP's model files")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--dir", default=None, help="model folder (default $BOOKNLP_MODEL_DIR or ~/booknlp_models)"
    )
    actions = models.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=[where], help="what is installed where, with sizes")
    dl = actions.add_parser("download", parents=[where], help="download small or big (resumable)")
    dl.add_argument("target", choices=["small", "big"])
    imp = actions.add_parser(
        "import", parents=[where], help="copy model files fetched elsewhere (offline)"
    )
    imp.add_argument("target", metavar="DIR")
    models.set_defaults(func=_models)

    doctor = sub.add_parser("doctor", help="check what the booknlp engine needs")
    doctor.add_argument("--dir", default=None, help="model folder to check")
    doctor.set_defaults(func=_doctor)

    worker = sub.add_parser("worker", help="run a GPU worker that takes jobs from Redis (RQ)")
    worker.add_argument("--redis-url", dest="redis_url", required=True)
    worker.add_argument("--name", default=None, help="worker name (default: host-pid)")
    worker.add_argument(
        "--config", default=None, help="a config file with c.BookNLPApp.engines / engine_options"
    )
    worker.set_defaults(func=_worker)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
