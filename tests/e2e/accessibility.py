"""The browser tests' accessibility checks: axe-core against WCAG 2.0 and 2.1, levels A and AA, where a serious or
critical finding fails, and a page that fits the screen without sideways scrolling."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()  # reads axe-core's script once for the whole run


def serious_violations(page: Page) -> list[str]:
    """Each serious or critical finding on the page as it is now, naming the rule and its first offending element."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['html'][:120]})"
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def assert_accessible(page: Page) -> None:
    """Fails with the page's address and what axe found when there is any serious or critical finding."""
    found = serious_violations(page)
    assert found == [], f"{page.url}:\n" + "\n".join(found)


def fits_the_screen(page: Page) -> bool:
    """True when the page is no wider than the window, so nothing needs scrolling sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
