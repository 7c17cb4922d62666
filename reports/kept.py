"""The reports as the pages, the CSVs and the API answer them: computed by
``reports.selectors`` and kept in the cache for ``REPORTS_CACHE_SECONDS`` (5 minutes unless
set), per report, range and sites, so a director who opens the dashboard, a report and its
CSV reads the same numbers, and a second reader of the same range costs no query. Each
report says when it was computed (``as_of``); ``fresh`` computes it again now (the pages'
"Recompute now", the API's ``?fresh=1``).

The numbers are aggregates of the sites' records; the user may read every site of the
scope (``ScopeForm`` checked it), so a report kept for one reader is the next one's too.
With Redis down the reports are computed each time (and said so in the log), never refused.
"""

import dataclasses
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from .results import Report
from .scope import Scope
from .selectors import REPORTS

VERSION = 1  # raised when a report's shape changes, so no older one is read back

log = logging.getLogger(__name__)


def _key(name: str, scope: Scope) -> str:
    sites = "-".join(str(pk) for pk in sorted(site.pk for site in scope.sites))
    return f"reports:v{VERSION}:{name}:{scope.start:%Y%m%d}:{scope.end:%Y%m%d}:{sites}"


def _computed(name: str, scope: Scope) -> Report:
    return dataclasses.replace(REPORTS[name](scope), as_of=timezone.now())


def reports(scope: Scope, names=None, *, fresh: bool = False) -> list[Report]:
    """The named reports (all of them by default), in ``REPORTS``' order: those kept read in
    one round trip, the others computed and kept."""
    names = [name for name in REPORTS if names is None or name in names]
    seconds = settings.REPORTS_CACHE_SECONDS
    keys = {name: _key(name, scope) for name in names}
    keeping = seconds > 0
    found = {}
    if keeping and not fresh:
        try:
            found = cache.get_many(keys.values())
        except (RedisError, OSError) as error:
            log.warning("Reports computed without the cache, Redis unavailable: %s", error)
            keeping = False
    answered, new = [], {}
    for name in names:
        report = found.get(keys[name])
        if report is None:
            report = new[keys[name]] = _computed(name, scope)
        answered.append(report)
    if new and keeping:
        try:
            cache.set_many(new, timeout=seconds)
        except (RedisError, OSError) as error:
            log.warning("Reports not kept, Redis unavailable: %s", error)
    return answered


def report(name: str, scope: Scope, *, fresh: bool = False) -> Report:
    return reports(scope, [name], fresh=fresh)[0]


def fresh_asked(params) -> bool:
    """``?fresh=1`` (the pages' "Recompute now", the API's ``fresh``): compute again now."""
    return params.get("fresh") in ("1", "true")


def oldest(answered: list[Report]):
    """When the oldest of these figures was computed: what a page of several says."""
    return min(report.as_of for report in answered)
