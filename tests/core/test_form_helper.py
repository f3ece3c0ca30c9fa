"""The shared form helper (templates/_partials.html) writes each attribute on its own.

The template environment trims the newline after a block tag, so attributes that
relied on a line break between them were glued ("requiredautocomplete=...") and the
browser lost `required`, `autocomplete` and `maxlength`.
"""

from bs4 import BeautifulSoup

from contest.core.web.templating import _environment


def _render(source: str) -> BeautifulSoup:
    template = _environment().from_string(
        '{% from "_partials.html" import field, select %}' + source
    )
    return BeautifulSoup(template.render(), "html.parser")


def test_login_fields_keep_required_and_autocomplete(client) -> None:
    page = BeautifulSoup(client.get("/login").text, "html.parser")

    email = page.find("input", attrs={"name": "email"})
    password = page.find("input", attrs={"name": "password"})

    assert email.has_attr("required")
    assert email["autocomplete"] == "username"
    assert password.has_attr("required")
    assert password["autocomplete"] == "current-password"
    for element in page.find_all(["input", "select", "textarea"]):
        assert not any(name.startswith("required") and name != "required" for name in element.attrs)


def test_every_attribute_survives_with_an_error() -> None:
    page = _render(
        '{{ field("title", "T", required=true, errors={"title": "bad"},'
        ' attrs={"maxlength": "200", "autocomplete": "off"}) }}'
        '{{ field("note", "N", type="textarea", required=true,'
        ' attrs={"rows": 3, "maxlength": 50}) }}'
        '{{ select("pick", "P", [(1, "one")], required=true, errors={"pick": "no"}) }}'
    )

    title = page.find("input", attrs={"name": "title"})
    assert title.has_attr("required")
    assert (title["maxlength"], title["autocomplete"]) == ("200", "off")
    assert title["aria-describedby"] == "e-title"
    assert page.find(id="e-title").text == "bad"
    note = page.find("textarea")
    assert note.has_attr("required")
    assert note["maxlength"] == "50"
    assert note["rows"] == "3"
    pick = page.find("select")
    assert pick.has_attr("required")
    assert pick["aria-describedby"] == "e-pick"
    assert page.find(id="e-pick").text == "no"
