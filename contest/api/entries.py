"""API routes: entries."""

from fastapi import APIRouter

router = APIRouter()
