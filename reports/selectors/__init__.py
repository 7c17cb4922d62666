"""The reports, each a function of a checked ``Scope`` answering a ``Report`` in a fixed
number of queries, whatever the range or the data:

- ``utilization``: chair-minutes open, booked and used; per day and hour of the week;
- ``attendance``: no-show and late-cancellation rates;
- ``leads``: consultation requests to first infusion by source, and waitlist fills;
- ``courses``: courses completed and abandoned, infusions per course, responders;
- ``safety``: alerts and side effects per 100 infusions;
- ``reminders``: reminder delivery and escort confirmation;
- ``package_liability``: prepaid infusions of course packages not yet given (billing).
- ``revenue``: charges, payments and refunds per site and day, by method (billing's ledger);
- ``balances``: outstanding balances by age, 0-30, 31-60, 61-90 and over 90 days.
"""

from collections.abc import Callable

from ..results import Report
from ..scope import Scope
from .attendance import attendance
from .balances import balances
from .courses import courses
from .leads import leads
from .packages import package_liability
from .reminders import reminders
from .revenue import revenue
from .safety import safety
from .utilization import utilization

REPORTS: dict[str, Callable[[Scope], Report]] = {
    "utilization": utilization,
    "attendance": attendance,
    "leads": leads,
    "courses": courses,
    "safety": safety,
    "reminders": reminders,
    "package_liability": package_liability,
    "revenue": revenue,
    "balances": balances,
}


def all_reports(scope: Scope) -> list[Report]:
    return [build(scope) for build in REPORTS.values()]
