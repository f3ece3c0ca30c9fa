"""Pages: entries."""

from fastapi import APIRouter

router = APIRouter()
