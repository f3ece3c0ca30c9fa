"""API routes: certificates."""

from fastapi import APIRouter

router = APIRouter()
