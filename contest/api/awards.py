"""API routes: awards."""

from fastapi import APIRouter

router = APIRouter()
