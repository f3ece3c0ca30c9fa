"""The API's documentation pages, served whole by the app: no CDN, no inline script.

FastAPI's own /docs and /redoc pages load Swagger UI and ReDoc from a public CDN (which
an organiser's network, or one behind the Great Firewall, may not reach) and start them
with an inline script, which our Content-Security-Policy forbids. So the assets come from
the pinned `fastapi-offline` package (Swagger UI under Apache 2.0, ReDoc under MIT, their
licence texts inside the bundles), served under /docs/assets, and each page starts its
viewer from a script file of ours (static/docs.js).
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contest.core.web.templating import static_url

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"

SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{starter}"></script>
</body></html>
"""

REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API</title>
<link rel="icon" href="/static/favicon.svg">
</head><body>
<redoc spec-url="{openapi}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body></html>
"""


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc), with their assets, all from this app."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    fields = {"title": app.title, "assets": ASSETS_URL, "openapi": app.openapi_url or ""}

    async def swagger(_request: Request) -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE.format(**fields, starter=static_url("docs.js")))

    async def redoc(_request: Request) -> HTMLResponse:
        return HTMLResponse(REDOC_PAGE.format(**fields))

    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
