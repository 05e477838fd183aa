"""The consent line shown above the comment button, by version. Each comment records the version its writer
was shown and when they posted under it, so it can be traced to the exact words. A wording is never edited:
a change is a new version, and the old ones stay here for the comments given under them."""

WORDINGS = {
    "comments-1": (
        "By posting, you agree that your name, your comment and your website (if you give one) are published "
        "under this post for anyone to read. Your email address is kept private: it is used only to tell you "
        "about replies if you ask, and you can erase your comments and your address at any time."
    ),
}
CURRENT = "comments-1"


def version_or_current(version: str | None) -> str:
    """The version a form says it showed, when it is a real one; the current version otherwise."""
    return version if version in WORDINGS else CURRENT
