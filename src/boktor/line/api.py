"""The one place that configures LINE's official SDK from Boktor's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from boktor.config import Settings

if TYPE_CHECKING:
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

# The SDK takes about a second to import; commands that never speak to LINE should not pay for it,
# so it is imported where it is used.


def sdk_configuration(settings: Settings) -> Configuration:
    """SDK configuration pointed at LINE (or the simulator, through LINE_API_BASE_URL)."""
    from linebot.v3.messaging import Configuration

    return Configuration(host=settings.line_api_base_url, access_token=settings.line_channel_access_token)


@asynccontextmanager
async def messaging_api(
    settings: Settings, connections: int | None = None
) -> AsyncIterator[AsyncMessagingApi]:
    """An async Messaging API client for the duration of a block, with a pool of `connections` if given.

    The SDK's default pool of 10 connections caps how many requests wait on LINE at once: too few for
    multicasts at 200/s, or for greeting many members who each wait on LINE twice.
    """
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi

    configuration = sdk_configuration(settings)
    if connections is not None:
        configuration.connection_pool_maxsize = max(10, connections)
    async with AsyncApiClient(configuration) as client:
        no_lookups_per_request(client, settings.line_api_base_url)
        yield AsyncMessagingApi(client)


def no_lookups_per_request(client: AsyncApiClient, base_url: str) -> None:
    """Keep the SDK's aiohttp session from reading the environment and ~/.netrc before every request.

    The SDK opens its session with trust_env, and aiohttp then looks up a proxy and netrc credentials for each
    request on a thread of its own: two thread hops and a file lookup per request, 200 multicasts a second.
    When the environment names no proxy for LINE's address (asked once, here), the same connector goes on in a
    session that does not look; with a proxy configured the SDK's session stays as it is.
    """
    import aiohttp
    from aiohttp.helpers import get_env_proxy_for_url
    from yarl import URL

    try:
        get_env_proxy_for_url(URL(base_url))
    except LookupError:
        rest = client.rest_client
        connector = rest.pool_manager.connector
        rest.pool_manager.detach()
        rest.pool_manager = aiohttp.ClientSession(connector=connector, trust_env=False)
