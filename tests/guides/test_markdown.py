"""Guide text is Markdown rendered by markdown-it-py and cleaned by nh3: whatever an
editor types, no script, no event handler, no style, no image from elsewhere and no
dangerous link reaches a page."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from guides.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](  javascript:alert(1))",
    "[clic](java&#x09;script:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    '<a href="https://ok.fr" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<style>body{display:none}</style><p style="color:red">x</p>',
    "![pixel](https://tracker.example/p.gif)",
    '[x](https://ok.fr "t" onmouseover="alert(1)")',
    "<svg><script>alert(1)</script></svg>",
    '<form action="https://evil.example"><input name="password"></form>',
    "```html\n<script>alert(1)</script>\n```",
]


class Elements(HTMLParser):
    """The real elements and attributes of a fragment (escaped text is only text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_never_reaches_the_page(attack):
    html = render_markdown(f"Texte avant.\n\n{attack}\n\nTexte après.")
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (attack, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (attack, html)
        if "href" in attrs:
            # An allowed scheme, or none (a relative address: /infos/autre-guide/).
            assert urlsplit(attrs["href"]).scheme in {"", "https", "http", "mailto", "tel"}
            assert attrs["rel"] == "noopener noreferrer"
    assert "Texte avant." in html and "Texte après." in html


def test_the_check_above_sees_real_elements():
    found = elements('<p>a</p><img src="x" onerror="y">&lt;script&gt;')
    assert found == [("p", {}), ("img", {"src": "x", "onerror": "y"})]


def test_typed_html_is_shown_as_text_not_run():
    html = render_markdown("Tapez <b>gras</b> & co")
    assert "&lt;b&gt;gras&lt;/b&gt;" in html
    assert "&amp; co" in html


def test_links_keep_their_address_and_get_noopener():
    html = render_markdown("[France Travail](https://www.francetravail.fr)")
    assert (
        '<a href="https://www.francetravail.fr" rel="noopener noreferrer">France Travail</a>'
        in html
    )


def test_mail_and_phone_links_are_allowed():
    html = render_markdown("[écrire](mailto:contact@example.org) [appeler](tel:+33100000000)")
    assert 'href="mailto:contact@example.org"' in html
    assert 'href="tel:+33100000000"' in html


def test_an_image_shows_its_text_only():
    html = render_markdown("![Capture de l'écran d'accueil](https://example.org/a.png)")
    assert "Capture de l&#x27;écran d&#x27;accueil" in html or "Capture de l'écran" in html
    assert "example.org" not in html


def test_steps_and_sections_render_as_lists_and_headings():
    html = render_markdown("# Titre\n\n## Les étapes\n\n1. Un\n2. Deux\n\n- puce\n\n**gras**")
    assert "<h1" not in html  # the page's title is the only h1
    assert html.count("<h2>") == 2
    assert "<ol>" in html and "<li>Un</li>" in html
    assert "<ul>" in html and "<strong>gras</strong>" in html


def test_the_result_is_marked_safe_only_after_cleaning():
    from django.template import Context, Template

    rendered = Template("{{ body }}").render(
        Context({"body": render_markdown("<script>x</script>")})
    )
    assert "<script" not in rendered
