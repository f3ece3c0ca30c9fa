"""Pages: results."""

from fastapi import APIRouter

router = APIRouter()
