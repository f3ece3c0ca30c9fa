"""API routes: results."""

from fastapi import APIRouter

router = APIRouter()
