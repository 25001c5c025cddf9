"""The teacher list and teacher page: what they show and their constant query counts."""

import pytest
from django.urls import reverse

from people.models import Teacher


def add_teachers(campus, count: int) -> None:
    Teacher.objects.bulk_create(
        Teacher(campus=campus, first_name=f"Extra{i}", last_name="Teacher", employee_id=f"X{campus.code}{i}")
        for i in range(count)
    )


@pytest.mark.parametrize("viewer", ["coach", "principal", "leader", "teacher_user"])
def test_teacher_list_query_count_is_constant_as_the_district_grows(client, district, django_assert_num_queries, viewer):
    """Session, user, roles and one teacher query: a bigger district must not add any."""
    client.force_login(getattr(district, viewer))
    with django_assert_num_queries(4):
        client.get(reverse("people:teacher-list"))
    add_teachers(district.oak, 60)
    add_teachers(district.lkw, 60)
    with django_assert_num_queries(4):
        response = client.get(reverse("people:teacher-list"))
    assert response.status_code == 200


def test_teacher_page_query_count(client, district, django_assert_num_queries):
    """Session, user, roles, the teacher with their campus, and their visible walkthroughs."""
    client.force_login(district.principal)
    with django_assert_num_queries(5):
        response = client.get(reverse("people:teacher", args=[district.oak_teacher.pk]))
    body = response.content.decode()
    assert "<h1>James Brooks</h1>" in body and "Oak Cliff Elementary" in body and "K-2" in body


def test_search_narrows_the_list_and_works_without_javascript(client, district):
    client.force_login(district.leader)
    body = client.get(reverse("people:teacher-list"), {"q": "science lakewood"}).content.decode()
    assert "Elena Petrova" in body
    assert "Aisha Carter" not in body  # science, but at Oak Cliff
    assert 'value="science lakewood"' in body


def test_an_htmx_search_returns_only_the_results_fragment(client, district):
    client.force_login(district.leader)
    response = client.get(reverse("people:teacher-list"), {"q": "kim"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Grace Kim" in body and "<html" not in body


def test_search_text_is_escaped(client, district):
    client.force_login(district.leader)
    body = client.get(reverse("people:teacher-list"), {"q": "<script>x</script>"}).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x</script>" not in body
