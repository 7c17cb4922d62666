"""Reads that span scheduling models (writes are in ``services``). Callers never add their
own joins.

- ``scope``: what a user may see and choose (appointments, courses, chairs, nurses, shifts,
  sites), one definition each for the screens and the API;
- ``board``: the day board and the week view of a site;
- ``visits``: a patient's courses, a nurse's day, today's patients, a shift's appointments;
- ``slots``: free slots for moving a session, the course's gap rule, make-up slots;
- ``work``: the front desk's and the clinic admin's "work waiting" counts;
- ``protocol``: a course's protocol in effect (the newest change's, else the booked one), as
  an object, an annotation, periods and SQL: every reader that means "the protocol the
  course runs under now" asks it.
"""
