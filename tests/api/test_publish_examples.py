"""Publishing through the API meets the same gate as the admin: a failing example enterprise
is a 400 keyed "examples", in Chinese."""

from policies.examples import examples_replace


def test_publishing_with_a_failing_example_is_a_400_on_examples(world):
    # given the draft (district within 4101) with an example in Luoyang expected to qualify
    examples_replace(
        policy=world.draft,
        actor=None,
        examples=[
            {"name": "洛阳的企业", "profile": {"district": "410302"}, "as_of": "2026-12-06",
             "expected_verdict": "eligible"}
        ],
    )  # fmt: skip
    # when
    response = world.client("off_x").post(f"/api/v1/policies/{world.draft.pk}/publish/")
    # then
    assert response.status_code == 400
    (message,) = response.json()["examples"]
    assert "样例企业未通过，不能发布：「洛阳的企业」预期符合，实际不符合" in message
    world.draft.refresh_from_db()
    assert world.draft.status == "draft"
