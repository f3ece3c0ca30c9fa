"""Pages: exports."""

from fastapi import APIRouter

router = APIRouter()
