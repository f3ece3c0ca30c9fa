"""Pages: judging."""

from fastapi import APIRouter

router = APIRouter()
