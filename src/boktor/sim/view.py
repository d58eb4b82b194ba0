"""What a member sees of a LINE message on the phone: text, card title and body, buttons, quick replies."""

from __future__ import annotations

from typing import Any

SIZE_ORDER = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl", "3xl", "4xl", "5xl")
TITLE_SIZES = {"lg", "xl", "xxl", "3xl", "4xl", "5xl"}
BUBBLE_BLOCKS = ("header", "hero", "body", "footer")


def button(action: Any) -> dict[str, Any] | None:
    """Describe an action the member can tap: its label and what it does."""
    if not isinstance(action, dict):
        return None
    out: dict[str, Any] = {"label": action.get("label", ""), "type": action.get("type", "")}
    for key in ("data", "uri", "text", "displayText"):
        if key in action:
            out[key] = action[key]
    return out


def _texts_and_buttons(node: Any, texts: list[tuple[str, bool]], buttons: list[dict[str, Any]]) -> None:
    if isinstance(node, list):
        for child in node:
            _texts_and_buttons(child, texts, buttons)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        text = node.get("text")
        if text is None and isinstance(node.get("contents"), list):
            text = "".join(span.get("text", "") for span in node["contents"] if isinstance(span, dict))
        if text:
            texts.append((text, _prominence(node)))
    if kind == "button" or (
        kind != "bubble" and isinstance(node.get("action"), dict) and node["action"].get("label")
    ):
        found = button(node.get("action"))
        if found:
            buttons.append(found)
    if kind == "bubble":
        for block in BUBBLE_BLOCKS:
            _texts_and_buttons(node.get(block), texts, buttons)
    elif isinstance(node.get("contents"), list) and kind != "text":
        _texts_and_buttons(node["contents"], texts, buttons)


def _prominence(node: dict[str, Any]) -> int:
    """How much a text stands out: its size first, then boldness; 0 for ordinary body text."""
    size = node.get("size", "md")
    bold = node.get("weight") == "bold"
    if not bold and size not in TITLE_SIZES:
        return 0
    return 2 * (SIZE_ORDER.index(size) + 1 if size in SIZE_ORDER else len(SIZE_ORDER)) + bold


def _bubble_view(bubble: Any) -> dict[str, Any]:
    texts: list[tuple[str, int]] = []
    buttons: list[dict[str, Any]] = []
    _texts_and_buttons(bubble, texts, buttons)
    # A member reads the most prominent text as the card's title (a small bold label above it is not).
    top = max((score for _, score in texts), default=0)
    title_index = next((i for i, (_, score) in enumerate(texts) if score and score == top), None)
    title = texts[title_index][0] if title_index is not None else None
    body = "\n".join(text for i, (text, _) in enumerate(texts) if i != title_index)
    return {"title": title, "body": body, "buttons": buttons}


def _template_view(template: dict[str, Any]) -> dict[str, Any]:
    kind = template.get("type")
    if kind in ("carousel", "image_carousel"):
        columns = [
            _template_view({"type": "buttons", **column})
            for column in template.get("columns", [])
            if isinstance(column, dict)
        ]
        if kind == "image_carousel":
            columns = [
                {"title": None, "body": "", "buttons": [b for b in [button(c.get("action"))] if b]}
                for c in template.get("columns", [])
                if isinstance(c, dict)
            ]
        first = columns[0] if columns else {"title": None, "body": ""}
        return {
            "title": first["title"],
            "body": first["body"],
            "buttons": [b for column in columns for b in column["buttons"]],
            "columns": columns,
        }
    buttons = [b for b in (button(a) for a in template.get("actions", [])) if b]
    return {"title": template.get("title"), "body": template.get("text", ""), "buttons": buttons}


def message_view(message: Any) -> dict[str, Any]:
    """Return what the member reads and can tap in one message object."""
    if not isinstance(message, dict):
        return {"buttons": [], "quick_replies": []}
    kind = message.get("type")
    view: dict[str, Any] = {"type": kind, "buttons": []}
    if kind in ("text", "textV2"):
        view["text"] = message.get("text", "")
    elif kind == "flex":
        view["alt_text"] = message.get("altText")
        contents = message.get("contents") or {}
        if contents.get("type") == "carousel":
            bubbles = [_bubble_view(b) for b in contents.get("contents", [])]
            first = bubbles[0] if bubbles else {"title": None, "body": ""}
            view.update(
                title=first["title"],
                body=first["body"],
                bubbles=bubbles,
                buttons=[b for bubble in bubbles for b in bubble["buttons"]],
            )
        else:
            view.update(_bubble_view(contents))
    elif kind == "template":
        view["alt_text"] = message.get("altText")
        view.update(_template_view(message.get("template") or {}))
    elif kind == "image":
        view["image"] = message.get("originalContentUrl")
    elif kind == "sticker":
        view["sticker"] = f"{message.get('packageId')}/{message.get('stickerId')}"
    elif kind == "location":
        view.update(title=message.get("title"), body=message.get("address", ""))
    elif "altText" in message:
        view["alt_text"] = message["altText"]
    quick = message.get("quickReply") or {}
    items = quick.get("items", []) if isinstance(quick, dict) else []
    view["quick_replies"] = [
        b for b in (button(item.get("action")) for item in items if isinstance(item, dict)) if b
    ]
    return view
