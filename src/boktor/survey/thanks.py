"""The thank-you a member gets in the chat after answering (one push message: it costs quota)."""

from __future__ import annotations

import asyncio
import logging
import uuid

from linebot.v3.messaging import PushMessageRequest, TextMessage
from linebot.v3.messaging.exceptions import ApiException

from boktor.config import Settings
from boktor.line.api import messaging_api
from boktor.survey import messages

log = logging.getLogger(__name__)
ATTEMPTS = 3


async def send_thank_you(settings: Settings, line_user_id: str) -> bool:
    """Push the thank-you once; retried with the same X-Line-Retry-Key after a 5xx or a network error."""
    request = PushMessageRequest(to=line_user_id, messages=[TextMessage(text=messages.THANK_YOU_CHAT)])
    retry_key = str(uuid.uuid4())
    async with messaging_api(settings) as api:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await api.push_message(request, x_line_retry_key=retry_key)
                return True
            except ApiException as error:
                if error.status == 409:  # LINE already accepted this key: the first attempt went through
                    return True
                if error.status is not None and error.status < 500:
                    log.warning("The survey thank-you was refused by LINE (HTTP %s)", error.status)
                    return False
                log.info("The survey thank-you failed (HTTP %s), attempt %d", error.status, attempt)
            except Exception as error:  # network errors of the SDK's aiohttp client
                log.info("The survey thank-you failed (%s), attempt %d", type(error).__name__, attempt)
            await asyncio.sleep(0.5 * attempt)
    log.warning("The survey thank-you could not be sent after %d attempts", ATTEMPTS)
    return False
