"""Pages: certificates."""

from fastapi import APIRouter

router = APIRouter()
