"""A plain Thai page showing each virtual phone's chat as a member would read it, with the totals."""

from __future__ import annotations

from html import escape
from typing import Any

from aiohttp import web

from boktor.sim.control import ControlError, PhoneActions, inbox_items
from boktor.sim.state import SimState

STATE_TH = {"never-followed": "ยังไม่ได้เพิ่มเพื่อน", "friend": "เป็นเพื่อน", "blocked": "บล็อกแล้ว"}
VIA_TH = {
    "reply": "ตอบกลับ",
    "push": "ส่งถึงคนเดียว",
    "multicast": "ส่งหลายคน",
    "narrowcast": "ส่งตามกลุ่ม",
    "broadcast": "ส่งทุกคน",
}
PAGE_SIZE = 20
STYLE = """
body{font-family:Sarabun,Tahoma,sans-serif;margin:1rem;background:#f4f6f8;color:#222}
h1{font-size:1.4rem} .totals{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}
.totals div{background:#fff;border-radius:8px;padding:.5rem .8rem;box-shadow:0 1px 2px #0002}
.phones{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1rem}
.phone{background:#fff;border-radius:16px;padding:.8rem;box-shadow:0 1px 3px #0003}
.phone h2{font-size:1rem;margin:.2rem 0} .uid{font-size:.7rem;color:#777;word-break:break-all}
.msg{background:#e8f5e9;border-radius:10px;padding:.5rem;margin:.4rem 0;white-space:pre-wrap}
.msg .title{font-weight:bold} .meta{font-size:.7rem;color:#666}
button{margin:.15rem;border:1px solid #06c755;background:#fff;border-radius:6px;padding:.2rem .5rem}
.quick button{border-radius:14px} form{display:inline}
"""


def _tap_form(user_id: str, item_id: str, label: str) -> str:
    return (
        f'<form method="post" action="/_sim/page/{escape(user_id)}/tap">'
        f'<input type="hidden" name="message_id" value="{escape(item_id)}">'
        f'<input type="hidden" name="label" value="{escape(label)}">'
        f"<button>{escape(label)}</button></form>"
    )


def _item_html(user_id: str, item: dict[str, Any]) -> str:
    view = item["view"]
    parts = [
        f'<div class="msg"><div class="meta">{escape(VIA_TH.get(item["via"], item["via"]))} · '
        f"{escape(item['at'])}</div>"
    ]
    if view.get("title"):
        parts.append(f'<div class="title">{escape(view["title"])}</div>')
    text = view.get("text") or view.get("body")
    if text:
        parts.append(f"<div>{escape(text)}</div>")
    if view.get("image"):
        parts.append(f"<div>[รูปภาพ] {escape(view['image'])}</div>")
    if view.get("sticker"):
        parts.append("<div>[สติกเกอร์]</div>")
    if not text and not view.get("title") and view.get("alt_text"):
        parts.append(f"<div>{escape(view['alt_text'])}</div>")
    parts.extend(
        _tap_form(user_id, item["id"], b["label"]) for b in view.get("buttons", []) if b.get("label")
    )
    if view.get("quick_replies"):
        parts.append(
            '<div class="quick">'
            + "".join(
                _tap_form(user_id, item["id"], b["label"]) for b in view["quick_replies"] if b.get("label")
            )
            + "</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def render(state: SimState, offset: int = 0) -> str:
    """Return the whole page: totals, then a page of phones with their chats, oldest message first."""
    stats = state.stats()
    quota = stats["quota"]
    quota_text = "ไม่จำกัด" if quota["value"] is None else f"{quota['used']:,} / {quota['value']:,}"
    totals = [
        ("โทรศัพท์จำลอง", f"{stats['phones']:,}"),
        ("เป็นเพื่อน", f"{stats['friends']:,}"),
        ("การส่งถึงเครื่อง", f"{stats['deliveries']:,}"),
        ("ผู้รับ (ไม่ซ้ำคน)", f"{stats['recipients']:,}"),
        ("ได้รับข้อความซ้ำ", f"{stats['duplicates']:,}"),
        ("ถูกจำกัดอัตรา (429)", f"{stats['rate_limited']:,}"),
        ("โควตาเต็ม (429)", f"{stats['quota_refused']:,}"),
        ("โควตาที่ใช้", quota_text),
        ("ข้อผิดพลาดที่จำลอง", " / ".join(f"{k} {v}" for k, v in stats["faults"].items())),
        ("เว็บฮุก สำเร็จ/ล้มเหลว", f"{stats['webhooks']['ok']} / {stats['webhooks']['failed']}"),
    ]
    phones = list(state.phones.values())[offset : offset + PAGE_SIZE]
    cards = []
    for phone in phones:
        uid = escape(phone.user_id)
        action = "unfollow" if phone.state == "friend" else "follow"
        action_th = "บล็อก" if action == "unfollow" else "เพิ่มเพื่อน"
        cards.append(
            f'<div class="phone" id="{uid}"><h2>{escape(phone.display_name)}</h2>'
            f'<div class="uid">{uid} · {STATE_TH[phone.state]}</div>'
            f'<form method="post" action="/_sim/page/{uid}/{action}"><button>{action_th}</button></form>'
            f'<form method="post" action="/_sim/page/{uid}/message"><input name="text" placeholder="พิมพ์ข้อความ">'
            f"<button>ส่ง</button></form>"
            + "".join(_item_html(phone.user_id, item) for item in inbox_items(state, phone.user_id))
            + "</div>"
        )
    nav = []
    if offset > 0:
        nav.append(f'<a href="/?offset={max(0, offset - PAGE_SIZE)}">« ก่อนหน้า</a>')
    if offset + PAGE_SIZE < len(state.phones):
        nav.append(f'<a href="/?offset={offset + PAGE_SIZE}">ถัดไป »</a>')
    return (
        '<!doctype html><html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>LINE จำลอง — บอกต่อ</title><style>{STYLE}</style></head><body>"
        '<h1>LINE จำลอง: โทรศัพท์ของสมาชิก</h1><div class="totals">'
        + "".join(f"<div>{escape(k)}<br><b>{escape(v)}</b></div>" for k, v in totals)
        + '</div><div class="phones">'
        + "".join(cards)
        + "</div><p>"
        + " ".join(nav)
        + "</p></body></html>"
    )


class Page:
    """GET / and the form posts behind its buttons."""

    def __init__(self, state: SimState, actions: PhoneActions) -> None:
        self.state = state
        self.actions = actions

    def routes(self) -> list[web.RouteDef]:
        """Return the page routes."""
        return [web.get("/", self.show), web.post("/_sim/page/{userId}/{action}", self.act)]

    async def show(self, request: web.Request) -> web.Response:
        """GET /."""
        offset = max(0, int(request.query.get("offset", "0") or 0))
        return web.Response(text=render(self.state, offset), content_type="text/html", charset="utf-8")

    async def act(self, request: web.Request) -> web.Response:
        """POST /_sim/page/{userId}/{action} from the page's forms, then back to the page."""
        form = await request.post()
        user_id = request.match_info["userId"]
        try:
            phone = self.actions.phone(user_id)
            action = request.match_info["action"]
            if action == "follow":
                await self.actions.follow(phone)
            elif action == "unfollow":
                await self.actions.unfollow(phone)
            elif action == "message":
                await self.actions.message(phone, str(form.get("text", "")))
            elif action == "tap":
                tapped = await self.actions.tap(phone, str(form.get("label", "")), form.get("message_id"))
                if tapped.get("open"):  # a LIFF app opens in the phone's browser, signed in
                    raise web.HTTPSeeOther(tapped["open"])
                if tapped.get("uri"):
                    raise web.HTTPSeeOther(tapped["uri"])
        except ControlError:
            pass
        index = list(self.state.phones).index(user_id) if user_id in self.state.phones else 0
        raise web.HTTPSeeOther(f"/?offset={index // PAGE_SIZE * PAGE_SIZE}#{user_id}")
