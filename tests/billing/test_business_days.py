"""Good Faith Estimate deadlines in business days (45 CFR 149.610): weekends and the site's
holidays are skipped; 1 business day when the service is 3-9 business days away, 3 when 10 or
more, 3 after a request, none when less than 3 away."""

import datetime

from billing.business_days import add_business_days, business_days_between, estimate_due_by

D = datetime.date
FRI, MON = D(2026, 12, 4), D(2026, 12, 7)
CHRISTMAS = D(2026, 12, 25)  # a Friday


def test_a_weekend_is_not_business_days():
    assert business_days_between(FRI, MON, set()) == 1
    assert add_business_days(FRI, 1, set()) == MON


def test_a_holiday_is_skipped():
    thursday = D(2026, 12, 24)
    assert add_business_days(thursday, 1, {CHRISTMAS}) == D(2026, 12, 28)
    assert add_business_days(thursday, 1, set()) == CHRISTMAS


def test_three_to_nine_business_days_away_is_due_the_next_business_day():
    # Booked Friday 12/4 for Wednesday 12/9: Mon, Tue, Wed = 3 business days away.
    assert estimate_due_by(FRI, D(2026, 12, 9), set()) == MON
    # Nine away: Friday 12/4 -> Thursday 12/17.
    assert estimate_due_by(FRI, D(2026, 12, 17), set()) == MON


def test_two_business_days_away_needs_no_estimate():
    assert estimate_due_by(FRI, D(2026, 12, 8), set()) is None


def test_ten_or_more_business_days_away_is_due_in_three():
    # Friday 12/4 -> Friday 12/18 is 10 business days: due Wednesday 12/9.
    assert estimate_due_by(FRI, D(2026, 12, 18), set()) == D(2026, 12, 9)


def test_a_holiday_can_move_a_service_below_ten_business_days():
    # Tuesday 12/22 -> Tuesday 1/5: 10 business days without holidays, 8 with 12/25 and 1/1.
    tuesday = D(2026, 12, 22)
    assert estimate_due_by(tuesday, D(2027, 1, 5), set()) == D(2026, 12, 25)
    holidays = {CHRISTMAS, D(2027, 1, 1)}
    assert estimate_due_by(tuesday, D(2027, 1, 5), holidays) == D(2026, 12, 23)


def test_a_request_is_due_in_three_business_days():
    assert estimate_due_by(D(2026, 12, 23), None, {CHRISTMAS}, requested=True) == D(2026, 12, 29)
