"""HTTP routes of this feature (filled in as the feature is built)."""

from fastapi import APIRouter

router = APIRouter()
