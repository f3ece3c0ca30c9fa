"""Pages: contest set-up for organisers."""

from fastapi import APIRouter

router = APIRouter()
