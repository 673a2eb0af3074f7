"""The internal page that generates the follow-up report: staff only, CSRF-protected, clear errors."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from livsvillkor.reports.models import GeneratedReport

pytestmark = pytest.mark.django_db

URL = "/intern/rapporter/"


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def staff_client(boras_framework, var_dir):
    user = get_user_model().objects.create_user("redaktor", password="x-secret-123", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_and_non_staff_users_are_sent_to_the_login(boras_framework, var_dir):
    response = Client().get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Client().post(URL, {"period": "2025", "format": ["html"]}).status_code == 302
    user = get_user_model().objects.create_user("invanare", password="x-secret-123")
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code == 302
    assert not GeneratedReport.objects.exists()


def test_staff_generates_the_report_and_downloads_the_files(staff_client, var_dir):
    page = staff_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'name="period"' in html
    assert "Inga rapporter har skapats ännu." in html

    response = staff_client.post(URL, {"period": "2025", "format": ["html", "xlsx"]})
    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert report.period == "2025" and report.formats == "html,xlsx"
    listing = staff_client.get(response["Location"]).content.decode()
    assert report.data_hash[:16] in listing
    download = staff_client.get(f"{URL}{report.pk}/html/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode()
    assert "Uppföljning 2025" in body and report.data_hash in body
    xlsx = staff_client.get(f"{URL}{report.pk}/xlsx/")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert staff_client.get(f"{URL}{report.pk}/pdf/").status_code == 404  # not generated
    assert staff_client.get(f"{URL}{report.pk}/exe/").status_code == 404
    assert sorted(p.name for p in (var_dir / "reports").iterdir()) == [
        f"uppfoljning-2025-{report.pk}.html",
        f"uppfoljning-2025-{report.pk}.xlsx",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "20x5", "format": ["html"]}, "'20x5'"),
        ({"period": "1800", "format": ["html"]}, "between 1990 and 2100"),
        ({"period": "2025", "format": ["exe"]}, "unknown format"),
        ({"period": "2025"}, "no format given"),
        ({"period": "1995", "format": ["html"]}, "no adopted målbild"),
    ],
)
def test_hostile_input_gives_a_clear_error_and_writes_nothing(staff_client, var_dir, data, message):
    response = staff_client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html.replace("&#x27;", "'")
    assert not GeneratedReport.objects.exists()
    assert not (var_dir / "reports").exists()


def test_post_without_csrf_token_is_refused(boras_framework, var_dir):
    user = get_user_model().objects.create_user("redaktor", password="x-secret-123", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(URL, {"period": "2025", "format": ["html"]}).status_code == 403
    assert not GeneratedReport.objects.exists()
