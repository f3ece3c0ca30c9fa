"""Pages: live."""

from fastapi import APIRouter

router = APIRouter()
