"""`manage.py seed_demo`: demo contributors, series, tags and posts, for development and reviews.

Everything is keyed by slug and created only when it is missing; rows that already exist keep their text, dates
and status, and pictures are drawn only for objects that have none. Tags and content notes of the demo posts are
set to the demo values each time (a no-op when they already match). So running the command again changes nothing.
"""

from __future__ import annotations

import datetime
import io
import math
import random
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from series.management.commands._demo_text import BODIES
from series.models import ContentNote, Contributor, Post, Series, Topic, Weekday

RGB = tuple[int, int, int]
FEATURE_SIZE = (1600, 900)
COVER_SIZE = (1280, 720)
AVATAR_SIZE = 256

BENZO_SERIES = "benzodiazepines-the-long-way-round"
COLUMN = "mental-floss-mondays"
EDITORS = "ole-editors"


@dataclass(frozen=True)
class Palette:
    """Colours of a generated picture: a sky from `top` to `bottom`, an `accent` (sun, moon) and shape colours."""

    top: RGB
    bottom: RGB
    accent: RGB
    shapes: tuple[RGB, ...]


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    contributor: str
    status: str
    publish_at: datetime.datetime | None
    motif: str
    palette: Palette
    image_alt: str
    series: str | None = None
    part_number: int | None = None
    featured: bool = False
    excerpt: str = ""
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    byline: str = ""  # a reader's pen name, for a story published on their behalf


CONTRIBUTORS = [
    {
        "slug": "naledi-k",
        "display_name": "Naledi K.",
        "bio": (
            "Naledi spent nine years on sleeping tablets and two coming off them, and writes about both. "
            "She lives in Johannesburg with two cats and far too many pot plants."
        ),
        "initials": "NK",
        "colour": (42, 118, 116),
    },
    {
        "slug": "pieter-v",
        "display_name": "Pieter V.",
        "bio": (
            "Pieter lives with bipolar disorder and writes Mental Floss Mondays, a weekly column about the small, "
            "practical things that keep a mind ticking over. He is based in Gqeberha."
        ),
        "initials": "PV",
        "colour": (176, 92, 60),
    },
    {
        "slug": EDITORS,
        "display_name": "OLE editors",
        "bio": (
            "The volunteer editors of Our Lived Experience. We read everything you send in, edit gently for clarity "
            "and safety, and always show you the result before it is published."
        ),
        "initials": "OLE",
        "colour": (108, 72, 124),
    },
]

SERIES = [
    {
        "slug": BENZO_SERIES,
        "title": "Benzodiazepines: the long way round",
        "summary": (
            "A four-part series on calming and sleeping tablets: the quiet harms of long-term use, how dependence "
            "and tolerance work, getting through withdrawal, and one reader's road to recovery. Personal "
            "experience, not medical advice: please talk to your prescriber before changing any medication."
        ),
        "kind": Series.Kind.BOUNDED,
        "planned_parts": 4,
        "position": 0,
        "motif": "hills",
        "palette": Palette((186, 204, 222), (238, 226, 206), (255, 244, 214), ((160, 184, 164), (120, 152, 136))),
    },
    {
        "slug": COLUMN,
        "title": "Mental Floss Mondays",
        "summary": (
            "A short weekly column about the unglamorous, everyday things that help keep a mind in working order. "
            "New every Monday."
        ),
        "kind": Series.Kind.COLUMN,
        "cadence_weekday": Weekday.MONDAY,
        "planned_parts": None,
        "position": 1,
        "motif": "bokeh",
        "palette": Palette((255, 240, 206), (250, 214, 180), (255, 250, 230), ((244, 176, 66), (232, 120, 72))),
    },
]

TOPICS = [
    (
        "benzodiazepines",
        "benzodiazepines",
        "Calming and sleeping tablets: what long-term use can do, and what people have learned coming off them. "
        "Personal experience, not medical advice.",
    ),
    (
        "withdrawal",
        "withdrawal",
        "What coming off a medicine can feel like, and what helped people through it. Never stop or cut down "
        "without your prescriber.",
    ),
    ("recovery", "recovery", "Stories of finding your feet again, slowly and in your own way."),
    ("anxiety", "anxiety", "Living with worry, fear and panic, and the small things that make room to breathe."),
    ("sleep", "sleep", "Bad nights, better nights, and being kinder to ourselves about both."),
]

CONTENT_NOTE_NAMES = {
    "withdrawal-symptoms": "withdrawal symptoms",
    "relapse": "relapse",
}


def _local(day: datetime.date, hour: int = 7, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def demo_posts(today: datetime.date) -> list[DemoPost]:
    """The demo posts, with publication times counted back (or forward) from `today`."""
    last_monday = today - datetime.timedelta(days=today.weekday() or 7)
    published, scheduled, draft = Post.Status.PUBLISHED, Post.Status.SCHEDULED, Post.Status.DRAFT

    def days_ago(days: int) -> datetime.datetime:
        return _local(today - datetime.timedelta(days=days))

    def mondays_ago(weeks: int) -> datetime.datetime:
        return _local(last_monday - datetime.timedelta(weeks=weeks), hour=6, minute=30)

    return [
        DemoPost(
            slug="the-quiet-cost-of-long-term-use",
            title="The quiet cost of long-term use",
            contributor="naledi-k",
            series=BENZO_SERIES,
            part_number=1,
            status=published,
            publish_at=days_ago(60),
            excerpt=(
                "Nine years on sleeping tablets taught me that the harms of long-term use rarely arrive with a bang. "
                "They creep in, and you mistake them for yourself."
            ),
            tags=("benzodiazepines", "sleep", "anxiety"),
            motif="hills",
            palette=Palette(
                (176, 196, 222), (247, 215, 196), (255, 240, 200), ((150, 178, 160), (112, 148, 132), (78, 112, 102))
            ),
            image_alt="Illustration: a pale sun low over layered green hills, under a sky fading from soft blue "
            "to peach.",
        ),
        DemoPost(
            slug="dependence-and-tolerance-two-sides-of-one-coin",
            title="Dependence and tolerance: two sides of one coin",
            contributor="naledi-k",
            series=BENZO_SERIES,
            part_number=2,
            status=published,
            publish_at=days_ago(53),
            tags=("benzodiazepines", "anxiety"),
            motif="pair",
            palette=Palette((220, 210, 236), (250, 242, 222), (255, 255, 255), ((226, 176, 72), (64, 150, 150))),
            image_alt="Illustration: two large overlapping circles, one gold and one teal, on a background fading "
            "from lavender to cream.",
        ),
        DemoPost(
            slug="withdrawal-and-how-to-get-through-it",
            title="Withdrawal, and how to get through it",
            contributor="naledi-k",
            series=BENZO_SERIES,
            part_number=3,
            status=published,
            publish_at=days_ago(46),
            excerpt=(
                "Coming off took longer than I hoped and was harder than I expected. It was also the best thing I "
                "have done for myself. This is what helped."
            ),
            tags=("benzodiazepines", "withdrawal"),
            notes=("withdrawal-symptoms",),
            motif="waves",
            palette=Palette(
                (120, 148, 170), (232, 204, 172), (255, 228, 184), ((124, 156, 176), (92, 124, 150), (64, 96, 124))
            ),
            image_alt="Illustration: a sun rising behind calm blue-grey waves, the sky brightening from slate to "
            "warm sand.",
        ),
        DemoPost(
            slug="thandis-story-finding-my-feet-again",
            title="Thandi's story: finding my feet again",
            contributor=EDITORS,
            byline="Thandi M.",
            series=BENZO_SERIES,
            part_number=4,
            status=published,
            publish_at=days_ago(39),
            featured=True,
            excerpt=(
                "A reader, writing as Thandi M., on eleven years of tablets, one false start, and the slow, stubborn "
                "business of getting her life back."
            ),
            tags=("benzodiazepines", "withdrawal", "recovery"),
            notes=("withdrawal-symptoms", "relapse"),
            motif="hills",
            palette=Palette(
                (250, 186, 150), (255, 236, 200), (255, 250, 232), ((214, 160, 110), (172, 120, 88), (122, 88, 68))
            ),
            image_alt="Illustration: a bright morning sun above warm ochre and brown hills, under a coral sky "
            "turning to cream.",
        ),
        DemoPost(
            slug="a-walk-around-the-block-counts",
            title="A walk around the block counts",
            contributor="pieter-v",
            series=COLUMN,
            status=published,
            publish_at=mondays_ago(2),
            tags=("anxiety", "recovery"),
            motif="path",
            palette=Palette(
                (190, 220, 240), (240, 246, 228), (255, 248, 220), ((150, 196, 140), (104, 160, 108), (246, 236, 208))
            ),
            image_alt="Illustration: a pale winding path leading over soft green hills towards the horizon, under "
            "a clear morning sky.",
        ),
        DemoPost(
            slug="the-worry-window",
            title="The worry window",
            contributor="pieter-v",
            series=COLUMN,
            status=published,
            publish_at=mondays_ago(1),
            featured=True,
            excerpt=(
                "Worry is very bad at hearing “no”. It turns out it is quite good at hearing “later”. A small trick "
                "that gave me my evenings back."
            ),
            tags=("anxiety",),
            motif="window",
            palette=Palette((170, 200, 232), (246, 196, 196), (255, 226, 170), ((236, 222, 200), (250, 246, 238))),
            image_alt="Illustration: a simple four-paned window in a warm beige wall, with a late-afternoon sun in "
            "a blue and pink sky beyond it.",
        ),
        DemoPost(
            slug="sleep-is-not-an-exam",
            title="Sleep is not an exam",
            contributor="pieter-v",
            series=COLUMN,
            status=published,
            publish_at=mondays_ago(0),
            tags=("sleep", "anxiety"),
            motif="night",
            palette=Palette((26, 34, 70), (96, 86, 142), (246, 240, 214), ((44, 46, 84), (30, 32, 62))),
            image_alt="Illustration: a crescent moon and small scattered stars over dark rolling hills in a deep "
            "blue and violet night sky.",
        ),
        DemoPost(
            slug="how-we-edit-your-story",
            title="How we edit your story, and why you always see it first",
            contributor=EDITORS,
            status=scheduled,
            publish_at=_local(today + datetime.timedelta(days=7)),
            excerpt="What happens to your words after you press send: who reads them, what we change and why, and "
            "how you stay in control.",
            tags=("recovery",),
            motif="bokeh",
            palette=Palette(
                (248, 226, 228), (234, 226, 246), (255, 255, 255), ((226, 140, 160), (150, 96, 150), (246, 176, 140))
            ),
            image_alt="Illustration: soft overlapping circles in rose, plum and peach on a pale pink-to-lilac "
            "background.",
        ),
        DemoPost(
            slug="small-wins-written-down",
            title="Small wins, written down",
            contributor="pieter-v",
            series=COLUMN,
            status=draft,
            publish_at=None,
            tags=("recovery",),
            motif="bokeh",
            palette=Palette(
                (255, 244, 214), (252, 222, 188), (255, 255, 255), ((246, 196, 60), (238, 140, 60), (150, 176, 120))
            ),
            image_alt="Illustration: soft circles of sunflower yellow, orange and sage green on a warm apricot "
            "background.",
        ),
    ]


# Pictures ---------------------------------------------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=86, optimize=True, progressive=True)
    return buffer.getvalue()


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    return ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom).convert("RGBA")


def _layer(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def _blend(base: Image.Image, layer: Image.Image, blur: float = 0) -> Image.Image:
    if blur:
        # Blurred with premultiplied alpha, so edges fade into the picture instead of a dark fringe.
        layer = layer.convert("RGBa").filter(ImageFilter.GaussianBlur(blur)).convert("RGBA")
    return Image.alpha_composite(base, layer)


def _disc(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill: tuple[int, ...]) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _hill(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    base_y: float,
    amp: float,
    phase: float,
    fill: tuple[int, ...],
    waves: float = 1.3,
) -> None:
    width, height = size
    points = [(x, base_y + amp * math.sin(phase + waves * math.pi * x / width)) for x in range(0, width + 20, 20)]
    draw.polygon([*points, (width, height), (0, height)], fill=fill)


def _glow(image: Image.Image, x: float, y: float, r: float, colour: RGB) -> Image.Image:
    glow, draw = _layer(image.size)
    _disc(draw, x, y, r * 2.2, (*colour, 70))
    return _blend(image, glow, blur=r * 0.8)


def _sun_with_glow(image: Image.Image, x: float, y: float, r: float, colour: RGB) -> Image.Image:
    image = _glow(image, x, y, r, colour)
    sun, draw = _layer(image.size)
    _disc(draw, x, y, r, (*colour, 235))
    return _blend(image, sun, blur=2)


def draw_picture(size: tuple[int, int], motif: str, palette: Palette, seed: str) -> Image.Image:
    """A calm, abstract picture: a soft gradient sky with a few shapes, the same every time for the same seed."""
    rng = random.Random(seed)
    width, height = size
    image = _gradient(size, palette.top, palette.bottom)
    shapes = palette.shapes

    if motif in ("hills", "path"):
        image = _sun_with_glow(image, width * rng.uniform(0.62, 0.78), height * 0.3, height * 0.09, palette.accent)
        hills = shapes[:-1] if motif == "path" else shapes
        layer, draw = _layer(size)
        for index, colour in enumerate(hills):
            base = height * (0.6 + 0.12 * index)
            _hill(draw, size, base, height * 0.05, rng.uniform(0, math.tau), (*colour, 255), rng.uniform(1.0, 2.0))
        image = _blend(image, layer, blur=1.5)
        if motif == "path":
            layer, draw = _layer(size)
            steps = 80
            for step in range(steps + 1):
                t = step / steps
                x = width * 0.5 + width * 0.12 * math.sin(t * math.pi * 1.6) * (1 - t * 0.6)
                y = height - t * height * 0.4
                _disc(draw, x, y, 6 + 110 * (1 - t) ** 1.6, (*shapes[-1], 235))
            image = _blend(image, layer, blur=2)
    elif motif == "waves":
        image = _sun_with_glow(image, width * 0.42, height * 0.5, height * 0.12, palette.accent)
        layer, draw = _layer(size)
        for index, colour in enumerate(shapes):
            base = height * (0.55 + 0.14 * index)
            _hill(draw, size, base, height * 0.015, rng.uniform(0, math.tau), (*colour, 245), waves=6 + 2 * index)
        image = _blend(image, layer, blur=1.5)
    elif motif == "night":
        stars, draw = _layer(size)
        for _ in range(70):
            _disc(
                draw,
                rng.uniform(0, width),
                rng.uniform(0, height * 0.6),
                rng.uniform(1.2, 3.2),
                (255, 255, 240, rng.randint(120, 230)),
            )
        image = _blend(image, stars, blur=0.6)
        mx, my, mr = width * 0.72, height * 0.26, height * 0.1
        image = _glow(image, mx, my, mr, palette.accent)
        moon, draw = _layer(size)
        _disc(draw, mx, my, mr, (*palette.accent, 240))
        _disc(draw, mx + mr * 0.45, my - mr * 0.2, mr * 0.95, (0, 0, 0, 0))  # bites a crescent out of the disc
        image = _blend(image, moon, blur=1.5)
        layer, draw = _layer(size)
        for index, colour in enumerate(shapes):
            _hill(draw, size, height * (0.72 + 0.12 * index), height * 0.05, rng.uniform(0, math.tau), (*colour, 255))
        image = _blend(image, layer, blur=1.5)
    elif motif == "window":
        wall = _gradient(size, shapes[0], tuple(max(0, c - 24) for c in shapes[0]))
        left, top, right, bottom = width * 0.3, height * 0.14, width * 0.7, height * 0.86
        sky = _sun_with_glow(image, width * 0.6, height * 0.62, height * 0.08, palette.accent)
        mask, draw = _layer(size)
        draw.rounded_rectangle((left, top, right, bottom), radius=18, fill=(255, 255, 255, 255))
        image = Image.composite(sky, wall, mask.getchannel("A"))
        frame, draw = _layer(size)
        bar, cx, cy, wood = 14, (left + right) / 2, (top + bottom) / 2, (*shapes[1], 255)
        draw.rounded_rectangle((left, top, right, bottom), radius=18, outline=wood, width=bar * 2)
        draw.rectangle((cx - bar / 2, top, cx + bar / 2, bottom), fill=wood)
        draw.rectangle((left, cy - bar / 2, right, cy + bar / 2), fill=wood)
        image = _blend(image, frame, blur=1)
    elif motif == "pair":
        layer, draw = _layer(size)
        r = height * 0.3
        _disc(draw, width * 0.42, height * 0.5, r, (*shapes[0], 170))
        _disc(draw, width * 0.58, height * 0.5, r, (*shapes[1], 150))
        image = _blend(image, layer, blur=3)
    else:  # "bokeh": soft floating circles
        for blur in (24, 6):
            layer, draw = _layer(size)
            for _ in range(7):
                colour = rng.choice(shapes)
                _disc(
                    draw,
                    rng.uniform(0, width),
                    rng.uniform(0, height),
                    rng.uniform(height * 0.06, height * 0.24),
                    (*colour, rng.randint(70, 140)),
                )
            image = _blend(image, layer, blur=blur)

    return image.convert("RGB")


def draw_avatar(initials: str, colour: RGB) -> Image.Image:
    """A round badge with the contributor's initials, on a pale tint of the same colour."""
    tint = tuple(c + (255 - c) * 4 // 5 for c in colour)
    image = Image.new("RGB", (AVATAR_SIZE, AVATAR_SIZE), tint)
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, AVATAR_SIZE - 8, AVATAR_SIZE - 8), fill=colour)
    font = ImageFont.load_default(size=96 if len(initials) <= 2 else 70)
    draw.text((AVATAR_SIZE / 2, AVATAR_SIZE / 2), initials, font=font, fill=(255, 255, 255), anchor="mm")
    return image


# The command ------------------------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Create demo contributors, series, tags and posts (with drawn pictures). Safe to run again."

    requires_migrations_checks = True

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        self.created = 0
        with transaction.atomic():
            contributors = self._contributors()
            series = self._series()
            topics = self._topics()
            notes = self._notes()
            posts = [self._post(spec, contributors, series, topics, notes) for spec in demo_posts(timezone.localdate())]

        slugs = [post.slug for post in posts]
        demo = Post.objects.filter(slug__in=slugs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {len(posts)} posts "
                f"({demo.published().count()} published, {demo.filter(status=Post.Status.SCHEDULED).count()} "
                f"scheduled, {demo.filter(status=Post.Status.DRAFT).count()} draft; "
                f"{demo.featured().count()} featured), {len(series)} series, {len(contributors)} contributors, "
                f"{len(topics)} tags. {self.created} objects created this time."
            )
        )

    def _note(self, obj: object, created: bool) -> None:
        if created:
            self.created += 1
        if self.verbosity >= 2:
            self.stdout.write(f"  {'created' if created else 'exists '} {type(obj).__name__}: {obj}")

    def _contributors(self) -> dict[str, Contributor]:
        contributors = {}
        for spec in CONTRIBUTORS:
            contributor, created = Contributor.objects.get_or_create(
                slug=spec["slug"], defaults={"display_name": spec["display_name"], "bio": spec["bio"]}
            )
            if not contributor.avatar:
                png = _png(draw_avatar(spec["initials"], spec["colour"]))
                contributor.avatar.save("avatar.png", ContentFile(png), save=True)
            self._note(contributor, created)
            contributors[contributor.slug] = contributor
        return contributors

    def _series(self) -> dict[str, Series]:
        all_series = {}
        for spec in SERIES:
            series, created = Series.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    **{key: spec[key] for key in ("title", "summary", "kind", "planned_parts", "position")},
                    "cadence_weekday": spec.get("cadence_weekday"),
                },
            )
            if not series.cover_image:
                jpeg = _jpeg(draw_picture(COVER_SIZE, spec["motif"], spec["palette"], spec["slug"]))
                series.cover_image.save("cover.jpg", ContentFile(jpeg), save=True)
            self._note(series, created)
            all_series[series.slug] = series
        return all_series

    def _topics(self) -> dict[str, Topic]:
        topics = {}
        for slug, name, description in TOPICS:
            topic, created = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
            self._note(topic, created)
            topics[slug] = topic
        return topics

    def _notes(self) -> dict[str, ContentNote]:
        notes = {}
        for slug, name in CONTENT_NOTE_NAMES.items():
            # Normally there already, from the data migration; made here only if an editor has removed one.
            note, created = ContentNote.objects.get_or_create(slug=slug, defaults={"name": name})
            self._note(note, created)
            notes[slug] = note
        return notes

    def _post(
        self,
        spec: DemoPost,
        contributors: dict[str, Contributor],
        series: dict[str, Series],
        topics: dict[str, Topic],
        notes: dict[str, ContentNote],
    ) -> Post:
        post, created = Post.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "contributor": contributors[spec.contributor],
                "series": series[spec.series] if spec.series else None,
                "part_number": spec.part_number,
                "body": BODIES[spec.slug],
                "excerpt": spec.excerpt,
                "status": spec.status,
                "publish_at": spec.publish_at,
                "featured": spec.featured,
                "feature_image_alt": spec.image_alt,
                "byline": spec.byline,
            },
        )
        if not post.feature_image:
            png = _png(draw_picture(FEATURE_SIZE, spec.motif, spec.palette, spec.slug))
            # Assigned rather than saved on its own: Post.save() re-encodes a fresh upload and stores only the
            # clean copy and its renditions, so no unused original is left in storage.
            post.feature_image = ContentFile(png, name="feature.png")
            if not post.feature_image_alt:
                post.feature_image_alt = spec.image_alt
            post.save()
        post.tags.set([topics[slug] for slug in spec.tags])
        post.content_notes.set([notes[slug] for slug in spec.notes])
        self._note(post, created)
        return post
