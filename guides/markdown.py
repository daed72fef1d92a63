"""Guide text: Markdown in, safe HTML out.

markdown-it-py (CommonMark) with raw HTML off renders; nh3 (the binding of the Rust
sanitiser ammonia) then keeps only the tags a guide needs. So a `<script>`, an `onclick`,
a `javascript:` link or an image from elsewhere never reaches a page, whatever an editor
types, and the strict Content-Security-Policy (no inline script or style) holds. Links
get `rel="noopener noreferrer"`; a `#` heading becomes an h2 (the page's title is the
only h1; `##` sections are h2 already)."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"https", "http", "mailto", "tel"})

# "html": False escapes any HTML typed in the text; "linkify" stays off (no extra
# dependency, and a guide's links are written as [text](address)).
_renderer = MarkdownIt("commonmark", {"html": False, "breaks": False})


def _image_as_text(self, tokens, idx, options, env) -> str:
    """No images from elsewhere (privacy, data plans, CSP): an image shows its alt text."""
    return escapeHtml(tokens[idx].content)


_renderer.add_render_rule("image", _image_as_text)


def _no_first_level_heading(tokens) -> None:
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"


def render_markdown(text: str) -> SafeString:
    tokens = _renderer.parse(text)
    _no_first_level_heading(tokens)
    html = _renderer.renderer.render(tokens, _renderer.options, {})
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
