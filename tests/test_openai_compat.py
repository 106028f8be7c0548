"""POST /v1/moderations, driven by the official `openai` package against a real HTTP server and analyze worker.
The client talks only to base_url: nothing here reaches the internet."""

from __future__ import annotations

import openai
import pytest
import requests
from sqlalchemy import func, select

from service.analyze.categories import OPENAI_CATEGORIES
from service.models import Comment
from tests.analyze_support import create_key, running_kavalu_fixture  # noqa: F401  (the running_kavalu fixture)

TOXIC = "You are a pathetic idiot and a disgusting moron, shut up you stupid worthless loser."
CLEAN = "Thanks for the careful reporting on the water supply; the council should publish the audit."


def _client(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0, timeout=60)


def test_the_openai_client_moderates_one_text_and_many(running_kavalu, database, publisher):
    client = _client(running_kavalu.base_url, create_key(database, publisher.id, "openai"))
    one = client.moderations.create(input=TOXIC)
    assert one.id.startswith("modr-")
    assert one.model == "kavalu-moderation"
    (result,) = one.results
    assert result.flagged is True
    assert result.categories.harassment is True
    assert result.category_scores.harassment >= 0.9
    assert result.categories.self_harm is False and result.category_scores.self_harm == 0.0
    scores = result.model_dump(by_alias=True)["category_scores"]
    assert set(scores) == set(OPENAI_CATEGORIES)

    many = client.moderations.create(input=[CLEAN, "Call me on 98450 12345."], model="omni-moderation-latest")
    assert many.model == "omni-moderation-latest"
    clean, phone = many.results
    assert clean.flagged is False and clean.category_scores.harassment < 0.5
    assert phone.flagged is True  # personal data: the publisher's policy sends it to review
    assert not any(phone.categories.model_dump().values())  # ... yet OpenAI has no category for it
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0  # moderation never stores


def test_openai_errors_have_openais_shape(running_kavalu, database, publisher):
    with pytest.raises(openai.AuthenticationError) as raised:
        _client(running_kavalu.base_url, "kvk_not-a-key").moderations.create(input="hello")
    assert raised.value.status_code == 401
    assert raised.value.body == {
        "message": "Incorrect API key provided.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    key = create_key(database, publisher.id, "openai")
    with pytest.raises(openai.BadRequestError) as bad:
        _client(running_kavalu.base_url, key).moderations.create(input=[])
    assert bad.value.body["type"] == "invalid_request_error" and bad.value.body["param"] == "input"
    image = requests.post(
        running_kavalu.base_url + "/v1/moderations",
        json={"input": [{"type": "image_url", "image_url": {"url": "data:,"}}]},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert image.status_code == 400 and image.json()["error"]["code"] == "unsupported_input_type"


def test_a_multimodal_input_is_one_input_with_one_result(running_kavalu, database, publisher):
    """OpenAI answers a list of content parts ({type: text} and {type: image_url}) with one result for the whole
    input, as opposed to a list of strings (one result each). Images cannot be scored here: the text parts are
    scored together, and no category says it was applied to an image."""
    key = create_key(database, publisher.id, "openai")
    client = _client(running_kavalu.base_url, key)
    parts = client.moderations.create(input=[{"type": "text", "text": CLEAN}, {"type": "text", "text": TOXIC}])
    (result,) = parts.results
    assert result.flagged is True and result.categories.harassment is True
    image = {"type": "image_url", "image_url": {"url": "https://news.example/photo.png"}}
    mixed = client.moderations.create(
        input=[{"type": "text", "text": CLEAN}, image, {"type": "text", "text": TOXIC}],
        model="omni-moderation-latest",
    )
    (result,) = mixed.results
    assert result.flagged is True and result.categories.harassment is True
    applied = result.model_dump(by_alias=True)["category_applied_input_types"]
    assert applied == {name: ["text"] for name in OPENAI_CATEGORIES}
    (clean,) = client.moderations.create(input=[{"type": "text", "text": CLEAN}]).results
    assert clean.flagged is False

    def post(body) -> requests.Response:
        return requests.post(
            running_kavalu.base_url + "/v1/moderations",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    for body, code in (
        ({"input": [image, image]}, "unsupported_input_type"),  # nothing here can be scored
        ({"input": [CLEAN, {"type": "text", "text": CLEAN}]}, None),  # strings and parts in one list
        ({"input": [{"type": "audio", "audio": "..."}]}, None),
        ({"input": [{"type": "image_url", "image_url": "not-an-object"}, {"type": "text", "text": CLEAN}]}, None),
        ({"input": [{"type": "text", "text": 7}]}, None),
    ):
        refused = post(body)
        assert refused.status_code == 400, (body, refused.text)
        error = refused.json()["error"]
        assert error["type"] == "invalid_request_error" and error["param"] == "input"
        if code:
            assert error["code"] == code
