"""The one place that configures LINE's official SDK from Boktor's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from boktor.config import Settings

if TYPE_CHECKING:
    from linebot.v3.messaging import AsyncMessagingApi, Configuration

# The SDK takes about a second to import; commands that never speak to LINE should not pay for it,
# so it is imported where it is used.


def sdk_configuration(settings: Settings) -> Configuration:
    """SDK configuration pointed at LINE (or the simulator, through LINE_API_BASE_URL)."""
    from linebot.v3.messaging import Configuration

    return Configuration(host=settings.line_api_base_url, access_token=settings.line_channel_access_token)


@asynccontextmanager
async def messaging_api(settings: Settings) -> AsyncIterator[AsyncMessagingApi]:
    """An async Messaging API client for the duration of a block."""
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi

    async with AsyncApiClient(sdk_configuration(settings)) as client:
        yield AsyncMessagingApi(client)
