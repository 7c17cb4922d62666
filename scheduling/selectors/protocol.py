"""The protocol in effect of a course: the protocol of its newest change
(``CourseProtocolChange``, made by a physician's review), else the one it was booked under.
The course row keeps the booked protocol; every reader that means "the protocol the course
runs under now" asks here, never ``course.protocol``.

One rule, in the shapes its readers need, each a constant number of queries:

- ``course_protocol_in_effect(course)``: the ``Protocol`` of one course (one query);
- ``with_protocol_in_effect(courses)``: a course queryset annotated with
  ``protocol_in_effect_id``, ``protocol_in_effect_name`` and ``protocol_changed_after`` (the
  infusions given when the newest change was made; None: never changed), in the same query;
- ``protocol_in_effect(levels)``: the protocol id as an expression, for a subquery;
- ``protocol_periods(courses)``: every course's protocols in order with the infusion count
  each took over at, for readers that treat the infusions before a change apart (one query);
- ``protocol_in_effect_sql(alias)``: the same as SQL, for the reports written in SQL.

"Newest" is the highest id: changes are append-only rows written one at a time under the
course's row lock (``course_protocol_change``), so id order is the order they were made.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from protocols.models import Protocol

from ..models import Course, CourseProtocolChange


def _outer(name: str, levels: int):
    ref = F(name) if levels == 0 else OuterRef(name)
    for _ in range(max(levels - 1, 0)):
        ref = OuterRef(ref)
    return ref


def _newest_change(levels: int) -> QuerySet[CourseProtocolChange]:
    """The newest change of the course ``levels`` queries out (0: the query annotated)."""
    return CourseProtocolChange.objects.filter(course=_outer("pk", levels + 1)).order_by("-pk")


def protocol_in_effect(levels: int = 0) -> Coalesce:
    """The id of the protocol in effect of the course row ``levels`` queries out: 0 when
    annotating a course queryset, 1 inside a subquery of one (``OuterRef``), and so on."""
    newest = _newest_change(levels).values("protocol")[:1]
    return Coalesce(Subquery(newest), _outer("protocol_id", levels), output_field=BigIntegerField())


def with_protocol_in_effect(courses: QuerySet[Course]) -> QuerySet[Course]:
    """``courses`` with ``protocol_in_effect_id``, ``protocol_in_effect_name`` and
    ``protocol_changed_after`` annotated (subqueries: still one query)."""
    return courses.annotate(
        protocol_in_effect_id=protocol_in_effect(),
        protocol_changed_after=Subquery(_newest_change(0).values("after_infusions")[:1]),
    ).annotate(
        protocol_in_effect_name=Subquery(
            Protocol.objects.filter(pk=OuterRef("protocol_in_effect_id")).values("name")[:1]
        )
    )


def course_protocol_in_effect(course: Course) -> Protocol:
    """The protocol the course runs under now (one query; ``Course.protocol_in_force``
    caches it on the row)."""
    change = (
        CourseProtocolChange.objects.filter(course_id=course.pk)
        .select_related("protocol")
        .order_by("-pk")
        .first()
    )
    return change.protocol if change else course.protocol


@dataclass(frozen=True)
class ProtocolPeriod:
    """A stretch of a course under one protocol: from the infusion after ``after_infusions``
    (0: from the first) until the next period's."""

    protocol_id: int
    after_infusions: int


def protocol_periods(courses) -> dict[int, list[ProtocolPeriod]]:
    """Each course's periods, oldest first: the booked protocol from infusion 1, then one per
    change. The last is the protocol in effect. One query however many courses."""
    courses = list(courses)
    found: dict[int, list[ProtocolPeriod]] = {
        course.pk: [ProtocolPeriod(course.protocol_id, 0)] for course in courses
    }
    changes = defaultdict(list)
    rows = (
        CourseProtocolChange.objects.filter(course__in=[course.pk for course in courses])
        .order_by("course_id", "pk")
        .values_list("course_id", "protocol_id", "after_infusions")
    )
    for course_id, protocol_id, after in rows:
        changes[course_id].append(ProtocolPeriod(protocol_id, after))
    for course_id, periods in changes.items():
        found[course_id].extend(periods)
    return found


def protocol_in_effect_sql(course: str = "c") -> str:
    """SQL for the id of the protocol in effect of the course row aliased ``course`` (an
    alias written in the report's SQL, never a value)."""
    if not course.isidentifier():
        raise ValueError(f"Not an SQL alias: {course!r}")
    return (
        f"coalesce((SELECT ch.protocol_id FROM {CourseProtocolChange._meta.db_table} ch "  # noqa: S608 - a table name and an alias
        f"WHERE ch.course_id = {course}.id ORDER BY ch.id DESC LIMIT 1), "
        f"{course}.protocol_id)"
    )
