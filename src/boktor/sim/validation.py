"""Checks of request bodies against LINE's limits and line-bot-sdk's models, answering LINE's 400 shape."""

from __future__ import annotations

import re
import threading
from typing import Any

import orjson

TEXT_MAX = 5000
MESSAGES_MAX = 5
RECIPIENTS_MAX = 500
QUICK_REPLY_MAX = 13
POSTBACK_DATA_MAX = 300
FLEX_ALT_TEXT_MAX = 1500
TEMPLATE_ALT_TEXT_MAX = 400
BUBBLE_BYTES_MAX = 30 * 1024
CAROUSEL_BYTES_MAX = 50 * 1024
CAROUSEL_BUBBLES_MAX = 12
URL_MAX = 2000
BODY_BYTES_MAX = 2 * 1024 * 1024
AGGREGATION_UNIT = re.compile(r"^[A-Za-z0-9_]{1,30}$")

Detail = tuple[str, str]


class LineError(Exception):
    """An answer other than success, with LINE's status code and JSON body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body
        self.headers = headers or {}


def invalid(details: list[Detail]) -> LineError:
    """Build LINE's 400 answer listing every problem found."""
    return LineError(
        400,
        {
            "message": f"The request body has {len(details)} error(s)",
            "details": [{"message": message, "property": prop} for message, prop in details],
        },
    )


_sdk_lock = threading.Lock()
_sdk: tuple[Any, Any] | None = None


def sdk_models() -> tuple[Any, Any]:
    """Import line-bot-sdk's Message model and pydantic's error lazily, because the import takes a second."""
    global _sdk
    with _sdk_lock:
        if _sdk is None:
            from linebot.v3.messaging.models import Message
            from pydantic.v1 import ValidationError

            _sdk = (Message, ValidationError)
        return _sdk


def preload_sdk() -> None:
    """Import the SDK models in a background thread so the first send does not wait for them."""
    threading.Thread(target=sdk_models, name="sdk-preload", daemon=True).start()


class MessageValidator:
    """Validates message lists, remembering verdicts per payload so repeated announcements cost a lookup."""

    def __init__(self, cache_size: int = 4096) -> None:
        self.cache: dict[bytes, list[Detail]] = {}
        self.cache_size = cache_size

    def problems(self, messages: Any, key: bytes) -> list[Detail]:
        """Return the LINE rules the messages break (empty if none); `key` is the messages' JSON."""
        verdict = self.cache.get(key)
        if verdict is None:
            verdict = self._validate(messages)
            if len(self.cache) >= self.cache_size:
                self.cache.clear()
            self.cache[key] = verdict
        return verdict

    def _validate(self, messages: Any) -> list[Detail]:
        if not isinstance(messages, list):
            return [("Must be an array", "messages")]
        if not 1 <= len(messages) <= MESSAGES_MAX:
            return [(f"Size must be between 1 and {MESSAGES_MAX}", "messages")]
        details: list[Detail] = []
        for i, message in enumerate(messages):
            details.extend(message_limits(message, f"messages[{i}]"))
        if details:
            return details
        model, error_type = sdk_models()
        for i, message in enumerate(messages):
            try:
                model.from_dict(message)
            except error_type as exc:
                for err in exc.errors():
                    where = ".".join(str(part) for part in err["loc"] if part != "__root__")
                    details.append((err["msg"], f"messages[{i}]" + (f".{where}" if where else "")))
            except (KeyError, ValueError, TypeError, AttributeError):
                details.append(
                    (
                        "Must be one of the following values: [text, image, video, audio, location, "
                        "sticker, template, imagemap, flex]",
                        f"messages[{i}].type",
                    )
                )
        return details


def _length(value: Any, low: int, high: int, prop: str, out: list[Detail]) -> None:
    if not isinstance(value, str):
        out.append(("Must be a string", prop))
    elif not value and low > 0:
        out.append(("May not be empty", prop))
    elif len(value) > high:
        out.append((f"Length must be between {low} and {high}", prop))


def _url(value: Any, prop: str, out: list[Detail]) -> None:
    if not isinstance(value, str) or not value.startswith("https://"):
        out.append(("Must be an HTTPS URL", prop))
    elif len(value) > URL_MAX:
        out.append((f"Length must be between 0 and {URL_MAX}", prop))


def message_limits(message: Any, prop: str) -> list[Detail]:
    """Return LINE's size limits broken by one message object."""
    if not isinstance(message, dict):
        return [("Must be an object", prop)]
    out: list[Detail] = []
    kind = message.get("type")
    if kind in ("text", "textV2"):
        _length(message.get("text"), 1, TEXT_MAX, f"{prop}.text", out)
    elif kind == "flex":
        _length(message.get("altText"), 1, FLEX_ALT_TEXT_MAX, f"{prop}.altText", out)
        _flex_sizes(message.get("contents"), f"{prop}.contents", out)
    elif kind == "template":
        _length(message.get("altText"), 1, TEMPLATE_ALT_TEXT_MAX, f"{prop}.altText", out)
        _template_limits(message.get("template"), f"{prop}.template", out)
    elif kind in ("image", "video"):
        _url(message.get("originalContentUrl"), f"{prop}.originalContentUrl", out)
        _url(message.get("previewImageUrl"), f"{prop}.previewImageUrl", out)
    quick = message.get("quickReply")
    if (
        isinstance(quick, dict)
        and isinstance(quick.get("items"), list)
        and len(quick["items"]) > QUICK_REPLY_MAX
    ):
        out.append((f"Size must be between 0 and {QUICK_REPLY_MAX}", f"{prop}.quickReply.items"))
    _postback_data(message, prop, out)
    return out


def _flex_sizes(contents: Any, prop: str, out: list[Detail]) -> None:
    if not isinstance(contents, dict):
        out.append(("Must be an object", prop))
        return
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= CAROUSEL_BUBBLES_MAX:
            out.append((f"Size must be between 1 and {CAROUSEL_BUBBLES_MAX}", f"{prop}.contents"))
            return
        if len(orjson.dumps(contents)) > CAROUSEL_BYTES_MAX:
            out.append((f"Size of the carousel must not exceed {CAROUSEL_BYTES_MAX // 1024} KB", prop))
        for i, bubble in enumerate(bubbles):
            if len(orjson.dumps(bubble)) > BUBBLE_BYTES_MAX:
                out.append(
                    (
                        f"Size of a bubble must not exceed {BUBBLE_BYTES_MAX // 1024} KB",
                        f"{prop}.contents[{i}]",
                    )
                )
    elif len(orjson.dumps(contents)) > BUBBLE_BYTES_MAX:
        out.append((f"Size of a bubble must not exceed {BUBBLE_BYTES_MAX // 1024} KB", prop))


def _template_limits(template: Any, prop: str, out: list[Detail]) -> None:
    if not isinstance(template, dict):
        out.append(("Must be an object", prop))
        return
    kind = template.get("type")
    actions = template.get("actions")
    if kind == "buttons":
        if "title" in template:
            _length(template["title"], 0, 40, f"{prop}.title", out)
        short = "title" in template or "thumbnailImageUrl" in template
        _length(template.get("text"), 1, 60 if short else 160, f"{prop}.text", out)
        if not isinstance(actions, list) or not 1 <= len(actions) <= 4:
            out.append(("Size must be between 1 and 4", f"{prop}.actions"))
    elif kind == "confirm":
        _length(template.get("text"), 1, 240, f"{prop}.text", out)
        if not isinstance(actions, list) or len(actions) != 2:
            out.append(("Size must be 2", f"{prop}.actions"))
    elif kind in ("carousel", "image_carousel"):
        columns = template.get("columns")
        if not isinstance(columns, list) or not 1 <= len(columns) <= 10:
            out.append(("Size must be between 1 and 10", f"{prop}.columns"))


def _postback_data(node: Any, prop: str, out: list[Detail]) -> None:
    """Find every postback action, however deep (quick replies, templates, flex buttons), and check its data."""
    if isinstance(node, dict):
        if node.get("type") == "postback" and "data" in node:
            _length(node["data"], 0, POSTBACK_DATA_MAX, f"{prop}.data", out)
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                _postback_data(value, f"{prop}.{key}", out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _postback_data(value, f"{prop}[{i}]", out)


def aggregation_units(value: Any) -> list[Detail]:
    """Check customAggregationUnits: at most one name of up to 30 letters, digits or underscores."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 1:
        return [("Size must be between 0 and 1", "customAggregationUnits")]
    out: list[Detail] = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or not AGGREGATION_UNIT.match(name):
            out.append(("Must be 1 to 30 characters of A-Z, a-z, 0-9 or _", f"customAggregationUnits[{i}]"))
    return out
