"""What the benchmark measured, judged against the issue's targets, and the markdown it writes."""

from __future__ import annotations

from dataclasses import dataclass, field

# nginx keeps a page's age in whole seconds: a copy can be served up to a second past its s-maxage.
PROXY_CLOCK_SLACK_S = 1.0
SUBMISSIONS_PER_S = 50
QUEUE_FOLLOWERS_S = 10.0  # 10,000 followers' emails queued within
BUSY_HOME_SHARE = 50  # the home page's rate while the worker sends, in % of its rate idle (within 2x)
IMPORT_SECONDS = 300  # a WordPress export of 10,000 posts and 100,000 comments imported within
IMPORT_MB = 300  # at a peak resident memory of at most


@dataclass(frozen=True)
class Run:
    """One wrk run."""

    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    errors: int = 0  # non-2xx answers, socket errors and timeouts


@dataclass(frozen=True)
class Pair:
    """A page run and its ceiling's run, back to back."""

    page: Run
    ceiling: Run
    page_first: bool

    @property
    def share(self) -> float:
        """The page's rate in % of the ceiling's."""
        return 100 * self.page.rate / self.ceiling.rate if self.ceiling.rate else 0.0


@dataclass
class Comparison:
    """One page measured side by side with its ceiling a few times, judged on the median pair."""

    figure: int
    page: str
    setting: str
    ceiling: str
    target: float | None  # the share wanted, in %; None when the share is only reported
    pairs: list[Pair]
    note: str = ""  # what else the run saw (a cache header)
    queries: int | None = None
    max_queries: int | None = None

    def median(self) -> Pair:
        """The pair whose share is the median (with an even count, the higher of the two middle ones)."""
        return sorted(self.pairs, key=lambda pair: pair.share)[len(self.pairs) // 2]

    @property
    def errors(self) -> int:
        return sum(pair.page.errors + pair.ceiling.errors for pair in self.pairs)

    @property
    def met(self) -> bool:
        share_ok = self.target is None or self.median().share >= self.target
        queries_ok = self.max_queries is None or (self.queries is not None and self.queries <= self.max_queries)
        return share_ok and queries_ok and not self.errors

    def what(self) -> str:
        return f"{self.page}, {self.setting}"

    def measured(self) -> str:
        pair = self.median()
        shares = ", ".join(f"{each.share:.0f}%" for each in self.pairs)
        text = (
            f"{pair.share:.0f}% of the {self.ceiling}: {pair.page.rate:,.0f} against {pair.ceiling.rate:,.0f} req/s "
            f"(pairs: {shares}; the median counts); p99 {pair.page.p99_ms:.1f} ms, the ceiling's own p99 "
            f"{pair.ceiling.p99_ms:.1f} ms"
        )
        if self.max_queries is not None:
            text += f"; queries: {'?' if self.queries is None else self.queries}"
        if self.note:
            text += f"; {self.note}"
        if self.errors:
            text += f"; {self.errors} failed requests"
        return text

    def wanted(self) -> str:
        parts = []
        if self.target is not None:
            parts.append(f"≥ {self.target:.0f}% of the {self.ceiling}")
        if self.max_queries is not None:
            parts.append(f"≤ {self.max_queries} queries")
        return ", ".join(parts)


@dataclass
class Freshness:
    """A new comment on a page the proxy holds: how long until the proxy shows it."""

    s_maxage: int | None  # read from the page's Cache-Control
    seconds: float | None  # from the moment it became public until the proxy showed it; None: not within the wait
    proxy_copy: str = ""  # X-Cache-Status of the page just before the comment was sent (HIT: the proxy held it)
    status_before: str = ""  # the comment's status before the editor's approval (pending: held for moderation)

    @property
    def met(self) -> bool:
        if self.s_maxage is None or self.seconds is None:
            return False
        return self.seconds <= self.s_maxage + PROXY_CLOCK_SLACK_S

    def measured(self) -> str:
        age = "no s-maxage in the page's Cache-Control" if self.s_maxage is None else f"s-maxage {self.s_maxage}"
        shown = (
            "not shown within the wait"
            if self.seconds is None
            else f"shown {self.seconds:.1f} s after it became public"
        )
        return (
            f"{shown} ({age}; nginx's copy before: {self.proxy_copy or '?'}; comment was {self.status_before or '?'})"
        )


@dataclass
class Submissions:
    """Stories sent through the real form by concurrent writers for a fixed time, then counted in the database."""

    database: str
    clients: int
    seconds: float
    accepted: list[str]  # titles the site answered with its thank-you redirect
    errors: dict[str, int]
    stored: dict[str, int]  # title -> rows in the database

    @property
    def rate(self) -> float:
        return len(self.accepted) / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> int:
        return sum(1 for title in self.accepted if title not in self.stored)

    @property
    def duplicated(self) -> int:
        return sum(rows - 1 for rows in self.stored.values() if rows > 1)

    @property
    def met(self) -> bool:
        return self.rate >= SUBMISSIONS_PER_S and not (self.lost or self.duplicated or self.errors)

    def measured(self) -> str:
        errors = sum(self.errors.values())
        detail = f" ({', '.join(f'{kind}: {n}' for kind, n in sorted(self.errors.items()))})" if errors else ""
        return (
            f"{self.rate:.1f}/s: {self.clients} writers for {self.seconds:.1f} s, {len(self.accepted)} accepted, "
            f"{sum(self.stored.values())} rows stored, {self.lost} lost, {self.duplicated} duplicated, "
            f"{errors} errors{detail}"
        )


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest sample that `share` % of the samples do not exceed."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * share // 100))  # ceil without floats' surprises
    return ordered[int(rank) - 1]


@dataclass
class Latencies:
    """Requests timed one by one at the client on 127.0.0.1 (the server's time plus the loopback's tenth of a ms)."""

    figure: int
    page: str
    setting: str
    clients: int  # connections sending at once
    samples_ms: list[float]
    errors: int = 0  # answers other than 200, and connections that failed
    target_p95_ms: float | None = None  # None: reported only

    @property
    def p50_ms(self) -> float:
        return percentile(self.samples_ms, 50)

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def met(self) -> bool:
        in_time = self.target_p95_ms is None or self.p95_ms <= self.target_p95_ms
        return bool(self.samples_ms) and in_time and not self.errors

    def what(self) -> str:
        return f"{self.page}, {self.setting}, {self.clients} {'client' if self.clients == 1 else 'connections'}"

    def measured(self) -> str:
        if not self.samples_ms:
            return f"no request answered ({self.errors} failed)"
        text = (
            f"p95 {self.p95_ms:.1f} ms, p50 {self.p50_ms:.1f} ms, max {max(self.samples_ms):.1f} ms "
            f"({len(self.samples_ms)} requests)"
        )
        return text + (f"; {self.errors} failed requests" if self.errors else "")

    def wanted(self) -> str:
        return "reported" if self.target_p95_ms is None else f"p95 ≤ {self.target_p95_ms:.0f} ms"


@dataclass
class Following:
    """One new post for many followers by email: queueing their emails, sending them, and the site meanwhile."""

    database: str
    subscribers: int
    queued: int  # emails queued for the post
    queue_seconds: float  # announce_due(), which makes the deliveries and queues the emails
    sent: int = 0  # by the worker (deliver_due in a loop) while the home page was loaded
    send_seconds: float = 0.0  # from its first email sent to its last
    idle: Run | None = None  # the home page at gunicorn, before the worker starts
    busy: Run | None = None  # the same, the worker sending
    idle_after: Run | None = None  # the same, the worker stopped again

    @property
    def idle_rate(self) -> float:
        """The mean of the idle runs before and after."""
        rates = [run.rate for run in (self.idle, self.idle_after) if run]
        return sum(rates) / len(rates) if rates else 0.0

    @property
    def send_rate(self) -> float:
        return self.sent / self.send_seconds if self.send_seconds else 0.0

    @property
    def queue_met(self) -> bool:
        return self.queued == self.subscribers and self.queue_seconds <= QUEUE_FOLLOWERS_S

    @property
    def share(self) -> float:
        """The home page's rate while sending, in % of idle."""
        if not (self.busy and self.idle_rate):
            return 0.0
        return 100 * self.busy.rate / self.idle_rate

    @property
    def busy_met(self) -> bool:
        runs = [run for run in (self.idle, self.busy, self.idle_after) if run]
        return len(runs) == 3 and self.share >= BUSY_HOME_SHARE and not any(run.errors for run in runs)

    def lines(self) -> list[tuple[int, str, str, str, bool]]:
        idle, busy, after = (run or Run(0, 0, 0) for run in (self.idle, self.busy, self.idle_after))
        errors = idle.errors + busy.errors + after.errors
        return [
            (
                7,
                f"following: queue {self.subscribers:,} followers' emails, {self.database}",
                f"{self.queue_seconds:.2f} s, {self.queued:,} emails queued",
                f"≤ {QUEUE_FOLLOWERS_S:.0f} s, one email per follower",
                self.queue_met,
            ),
            (
                7,
                f"following: the worker's sending rate, {self.database}",
                f"{self.send_rate:,.0f} emails/s ({self.sent:,} in {self.send_seconds:.1f} s)",
                "reported",
                self.sent > 0,
            ),
            (
                7,
                f"following: home while the worker sends, {self.database}",
                f"{self.share:.0f}% of idle: {busy.rate:,.0f} against {self.idle_rate:,.0f} req/s (idle before "
                f"{idle.rate:,.0f}, after {after.rate:,.0f}); p99 {busy.p99_ms:.1f} ms, idle before "
                f"{idle.p99_ms:.1f} ms" + (f"; {errors} failed requests" if errors else ""),
                f"≥ {BUSY_HOME_SHARE}% of idle (within 2×)",
                self.busy_met,
            ),
        ]


@dataclass
class Import:
    """A generated WordPress export imported by `manage.py import_wordpress` into a fresh SQLite database."""

    posts: int
    comments: int
    skipped: str = ""  # why it was not run
    export_mb: float = 0.0
    seconds: float | None = None  # the command's wall time, from its start to its exit
    peak_mb: float | None = None  # the command's peak resident memory (ru_maxrss)
    write_seconds: float | None = None  # how long its last write transaction (the one that shows it) held the database
    expected: dict[str, int] = field(default_factory=dict)  # rows per kind the export holds
    imported: dict[str, int] = field(default_factory=dict)  # rows per kind found afterwards

    @property
    def complete(self) -> bool:
        return bool(self.expected) and self.imported == self.expected

    @property
    def met(self) -> bool | None:
        """None when it was skipped."""
        if self.skipped:
            return None
        if self.seconds is None or self.peak_mb is None:
            return False
        return self.seconds <= IMPORT_SECONDS and self.peak_mb <= IMPORT_MB and self.complete

    def what(self) -> str:
        return f"import a WordPress export: {self.posts:,} posts, {self.comments:,} comments, SQLite"

    def measured(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        if self.seconds is None or self.peak_mb is None:
            return "did not finish"
        text = f"{self.seconds:.1f} s, peak {self.peak_mb:.0f} MB (a {self.export_mb:.1f} MB export)"
        if self.write_seconds is not None:
            text += f", its last write transaction {self.write_seconds:.1f} s"
        rows = ", ".join(f"{self.imported.get(kind, 0):,} {kind}" for kind in self.expected)
        if self.complete:
            return f"{text}; imported {rows}"
        wanted = ", ".join(f"{count:,} {kind}" for kind, count in self.expected.items())
        return f"{text}; imported {rows}, not the {wanted} of the export"

    def lines(self) -> list[tuple[int, str, str, str, bool | None]]:
        wanted = f"≤ {IMPORT_SECONDS} s and ≤ {IMPORT_MB} MB, every item imported"
        return [(8, self.what(), self.measured(), wanted, self.met)]


@dataclass
class Report:
    comparisons: list[Comparison] = field(default_factory=list)
    freshness: list[Freshness] = field(default_factory=list)
    submissions: list[Submissions] = field(default_factory=list)
    latencies: list[Latencies] = field(default_factory=list)  # search (5) and the sitemap (6)
    following: list[Following] = field(default_factory=list)  # 7
    imports: list[Import] = field(default_factory=list)  # 8
    context: list[str] = field(default_factory=list)  # when, where, how
    failures: list[str] = field(default_factory=list)  # something did not work (not a missed target)
    smoke: bool = False  # tiny data and short runs: nothing is judged

    def figures(self) -> list[tuple[int, str, str, str, bool | None]]:
        """(figure, what, measured, target, met) for each line of the summary, in the issue's order (met None: the
        figure was skipped)."""
        lines = [(c.figure, c.what(), c.measured(), c.wanted(), c.met) for c in self.comparisons]
        lines += [
            (1, "a new comment, behind nginx", f.measured(), "within the s-maxage (+1 s, nginx's clock)", f.met)
            for f in self.freshness
        ]
        lines += [
            (
                4,
                f"story submissions, {s.database}",
                s.measured(),
                f"≥ {SUBMISSIONS_PER_S}/s, none lost or duplicated",
                s.met,
            )
            for s in self.submissions
        ]
        lines += [(t.figure, t.what(), t.measured(), t.wanted(), t.met) for t in self.latencies]
        lines += [line for f in self.following for line in f.lines()]
        lines += [line for i in self.imports for line in i.lines()]
        return sorted(lines, key=lambda line: line[0])


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(report: Report) -> str:
    lines = ["# Benchmark results", "", *report.context, "", "## The figures", ""]
    lines += ["| # | what | measured | target | verdict |", "| ---: | --- | --- | --- | --- |"]
    for figure, what, measured, wanted, met in report.figures():
        verdict = "met" if met else "MISSED"
        if report.smoke or wanted == "reported":
            verdict = "not judged (smoke)" if report.smoke else "reported"
        if met is None:
            verdict = "skipped"
        lines.append(f"| {figure} | {cell(what)} | {cell(measured)} | {cell(wanted)} | {verdict} |")
    if report.comparisons:
        lines += every_pair(report)
    if report.failures:
        lines += ["", "## Failures", "", *[f"- {failure}" for failure in report.failures]]
    return "\n".join(lines) + "\n"


def every_pair(report: Report) -> list[str]:
    lines = ["", "## Every pair", ""]
    lines += [
        "| # | page | setting | pair | run first | page req/s | page p50 ms | page p99 ms | ceiling req/s "
        "| ceiling p50 ms | ceiling p99 ms | share |",
        "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for comparison in report.comparisons:
        for number, pair in enumerate(comparison.pairs, start=1):
            page, ceiling = pair.page, pair.ceiling
            lines.append(
                f"| {comparison.figure} | {cell(comparison.page)} | {cell(comparison.setting)} | {number} | "
                f"{'page' if pair.page_first else 'ceiling'} | {page.rate:,.0f} | {page.p50_ms:.1f} | "
                f"{page.p99_ms:.1f} | {ceiling.rate:,.0f} | {ceiling.p50_ms:.1f} | {ceiling.p99_ms:.1f} | "
                f"{pair.share:.0f}% |"
            )
    return lines
