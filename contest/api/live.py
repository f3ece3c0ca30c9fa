"""API routes: live."""

from fastapi import APIRouter

router = APIRouter()
