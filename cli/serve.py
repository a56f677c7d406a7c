"""`onewindow serve`: the portal (citizens, reviewers, admins, the JSON API) over HTTP."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    parser = sub.add_parser("serve", help="run the web portal (citizens, reviewer console, admin, JSON API)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--warm", action="store_true", help="load the OCR models before taking requests")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from portal.app import create_app
    from schemas.settings import Settings

    settings = Settings()
    app = create_app(settings)
    if args.warm:
        app.state.portal.reader.engine.warm_up()
    print(f"OneWindow portal on http://{args.host}:{args.port}/  (console: /console, OpenAPI: /api/openapi.json; "
          f"archive {settings.archive})")
    # access_log off: status links carry signed tokens, which do not belong in logs.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, proxy_headers=True,
                forwarded_allow_ips="127.0.0.1")
    return 0
