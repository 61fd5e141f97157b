"""Error pages (400, 403, 404, 405, 500) speak the user's language and keep the navigation."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.infogov.error_urls")]

TITLES = {400: "请求有误", 403: "无权操作", 404: "页面不存在", 405: "不能这样访问", 500: "出错了"}
URLS = {
    400: "/fail/400/",
    403: "/fail/403/",
    404: "/no-such-page/",
    405: "/fail/405/",
    500: "/fail/500/",
}


@pytest.mark.parametrize("status", sorted(TITLES))
def test_error_pages_are_chinese_with_the_navigation(client, member, status):
    client.force_login(member)
    client.raise_request_exception = False

    response = client.get(URLS[status])

    assert response.status_code == status
    page = response.content.decode()
    assert TITLES[status] in page
    assert 'href="/meetings/"' in page  # the top bar's navigation
    assert "会议" in page and "退出" in page
    if status == 405:
        assert response["Allow"] == "POST"


def test_an_anonymous_404_is_in_english_when_chosen(settings):
    settings.LANGUAGE_CODE = "en"
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
