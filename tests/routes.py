"""Every route of the app, found by walking its routers (FastAPI keeps included routers
nested), as (method, path) pairs: the security suite checks each one."""

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _walk(router: object, prefix: str) -> Iterator[tuple[str, str]]:
    for route in getattr(router, "routes", []):
        if hasattr(route, "original_router"):
            inner = route.original_router
            context_prefix = route.include_context.prefix or ""
            yield from _walk(inner, prefix + context_prefix)
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, prefix + route.path


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(set(_walk(app.router, "")))
