"""API routes: judging."""

from fastapi import APIRouter

router = APIRouter()
