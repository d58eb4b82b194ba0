"""What a member reads on a card: the most prominent text is its title."""

from boktor.sim.view import message_view


def _text(text: str, **style: str) -> dict:
    return {"type": "text", "text": text, **style}


def test_a_small_bold_label_above_a_large_title_is_not_the_title():
    card = {
        "type": "flex",
        "altText": "ข้อสั่งการ: เตรียมรับมืออุทกภัย",
        "contents": {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    _text("ข้อสั่งการ", size="xs", weight="bold"),
                    _text("เตรียมรับมืออุทกภัย", size="lg", weight="bold"),
                    _text("ให้ทุกอำเภอสำรวจพื้นที่เสี่ยง", size="sm"),
                ],
            },
        },
    }
    view = message_view(card)
    assert view["title"] == "เตรียมรับมืออุทกภัย"
    assert view["body"] == "ข้อสั่งการ\nให้ทุกอำเภอสำรวจพื้นที่เสี่ยง"


def test_plain_text_cards_have_no_title():
    card = {
        "type": "flex",
        "altText": "ข่าว",
        "contents": {
            "type": "bubble",
            "body": {"type": "box", "layout": "vertical", "contents": [_text("ข่าว")]},
        },
    }
    assert message_view(card)["title"] is None
