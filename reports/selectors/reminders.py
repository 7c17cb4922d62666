"""Reminder delivery and escort confirmation. Two queries.

- **Reminders**: outbox messages due to go out in the range (their send time on the site's
  calendar). Delivery rate = sent / (sent + failed). Skipped messages (no consent, no
  address, an opted-out number) were never tried and are shown apart; cancelled ones (the
  visit moved or was cancelled) are left out.
- **Escorts**: visits due in the range that were not cancelled. Confirmation rate = visits
  whose escort was confirmed (by phone, through the reminder link or at check-in) / those
  visits; "by phone" counts the confirmations the front desk recorded.
"""

from ..results import PERCENT, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total

_MESSAGES = """
SELECT l.name AS site, m.channel, GROUPING(l.name) = 1 AND GROUPING(m.channel) = 1 AS is_total,
  GROUPING(m.channel) = 0 AS by_channel,
  count(*) FILTER (WHERE m.status = 'sent') AS sent,
  count(*) FILTER (WHERE m.status = 'failed') AS failed,
  count(*) FILTER (WHERE m.status = 'skipped') AS skipped,
  count(*) FILTER (WHERE m.status IN ('pending', 'sending')) AS waiting,
  {delivery} AS delivery_percent
FROM scheduling_outboundmessage m
JOIN scheduling_appointment a ON a.id = m.appointment_id
JOIN clinic_location l ON l.id = a.location_id
WHERE a.location_id = ANY(%(sites)s::bigint[]) AND m.status <> 'cancelled' AND {range}
GROUP BY GROUPING SETS ((l.name), (m.channel), ())
ORDER BY l.name NULLS LAST, m.channel NULLS LAST
""".format(
    range=in_range("m.send_at"),
    delivery=rate(
        "count(*) FILTER (WHERE m.status = 'sent')",
        "count(*) FILTER (WHERE m.status IN ('sent', 'failed'))",
    ),
)

_ESCORTS = """
SELECT l.name AS site, GROUPING(l.name) = 1 AS is_total, count(*) AS visits,
  count(*) FILTER (WHERE a.escort_confirmed) AS confirmed,
  count(*) FILTER (WHERE a.escort_confirmed AND a.escort_confirmed_by_id IS NOT NULL) AS by_phone,
  {confirmed} AS confirmed_percent
FROM scheduling_appointment a JOIN clinic_location l ON l.id = a.location_id
WHERE a.location_id = ANY(%(sites)s::bigint[]) AND a.status <> 'cancelled' AND {range}
GROUP BY GROUPING SETS ((l.name), ()) ORDER BY l.name NULLS LAST
""".format(
    range=in_range("a.starts_at"),
    confirmed=rate("count(*) FILTER (WHERE a.escort_confirmed)", "count(*)"),
)

MESSAGE_COLUMNS = [
    Column("sent", "Sent"),
    Column("failed", "Failed"),
    Column("delivery_percent", "Delivery rate", PERCENT),
    Column("skipped", "Skipped"),
    Column("waiting", "Waiting"),
]


def reminders(scope: Scope) -> Report:
    from ..charts import bar_chart

    params = scope.params()
    messages = fetch(_MESSAGES, params)
    by_channel = [row for row in messages if row["by_channel"]]
    by_site, total = split_total([row for row in messages if not row["by_channel"]], "site")
    escorts, escorts_total = split_total(fetch(_ESCORTS, params), "site")
    delivery = {row["site"]: row["delivery_percent"] for row in by_site}
    return Report(
        name="reminders",
        title="Reminder delivery and escort confirmation",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("delivery_percent", "Reminders delivered", total["delivery_percent"],
                     PERCENT),
            Headline("escort_confirmed_percent", "Escorts confirmed",
                     escorts_total["confirmed_percent"], PERCENT),
        ],
        tables=[
            Table("messages_by_site", "Reminders by site",
                  [Column("site", "Site", TEXT), *MESSAGE_COLUMNS],
                  [*by_site, {**total, "site": "All sites"}]),
            Table("messages_by_channel", "Reminders by channel",
                  [Column("channel", "Channel", TEXT), *MESSAGE_COLUMNS], by_channel),
            Table("escorts_by_site", "Escort confirmation by site",
                  [Column("site", "Site", TEXT), Column("visits", "Visits"),
                   Column("confirmed", "Escort confirmed"), Column("by_phone", "By phone"),
                   Column("confirmed_percent", "Confirmation rate", PERCENT)],
                  [*escorts, {**escorts_total, "site": "All sites"}]),
        ],
        charts=[
            bar_chart(
                "Reminders delivered and escorts confirmed, by site",
                [row["site"] for row in escorts],
                [("Reminders delivered", [delivery.get(row["site"]) for row in escorts]),
                 ("Escorts confirmed", [row["confirmed_percent"] for row in escorts])],
                unit="%",
            )
        ],
    )  # fmt: skip
