"""API routes: exports."""

from fastapi import APIRouter

router = APIRouter()
