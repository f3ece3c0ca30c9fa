"""Pages: awards."""

from fastapi import APIRouter

router = APIRouter()
