"""The two X12 005010X279A1 transactions of a real-time eligibility check: writing a 270
inquiry for one member and reading the answer that matters to the front desk from a 271.

Plain functions over plain values: no ORM, no network."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SERVICE_TYPE_PLAN_COVERAGE = "30"  # "health benefit plan coverage"


@dataclass(frozen=True)
class Inquiry:
    trace: str  # our reference, echoed in the 271's TRN
    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    member_id: str
    subscriber_first_name: str
    subscriber_last_name: str
    subscriber_date_of_birth: datetime.date | None
    service_date: datetime.date
    sender_id: str = "CLINIC"
    receiver_id: str = "CLEARINGHOUSE"
    # The patient when not the subscriber (a spouse or child on the subscriber's plan).
    dependent_first_name: str = ""
    dependent_last_name: str = ""
    dependent_date_of_birth: datetime.date | None = None


@dataclass
class Answer:
    """What a 271 says: covered or not, in network or not, authorization, the payer's
    reference, a copay (the patient's expected share per visit), or why it was rejected."""

    active: bool = False
    inactive: bool = False
    out_of_network: bool = False
    authorization_required: bool = False
    trace: str = ""
    copay_usd: Decimal | None = None
    rejections: list[str] = field(default_factory=list)


def _clean(value: str) -> str:
    """Separators inside a value would break the transaction: drop them, upper-case."""
    return "".join(ch for ch in value.upper() if ch not in "*~:^").strip()


def build_270(inquiry: Inquiry, *, now: datetime.datetime, control: int) -> str:
    """The 270 inquiry as text, segments ended with ``~``."""
    ymd, hm = now.strftime("%Y%m%d"), now.strftime("%H%M")
    number = f"{control:09d}"
    dependent = bool(inquiry.dependent_last_name)
    body = [
        "ST*270*0001*005010X279A1",
        f"BHT*0022*13*{_clean(inquiry.trace)}*{ymd}*{hm}",
        "HL*1**20*1",
        f"NM1*PR*2*{_clean(inquiry.payer_name)}*****PI*{_clean(inquiry.payer_id)}",
        "HL*2*1*21*1",
        f"NM1*1P*2*{_clean(inquiry.provider_name)}*****XX*{inquiry.provider_npi}",
        f"HL*3*2*22*{1 if dependent else 0}",
        f"TRN*1*{_clean(inquiry.trace)}*9{_clean(inquiry.sender_id)[:9]}",
        f"NM1*IL*1*{_clean(inquiry.subscriber_last_name)}*{_clean(inquiry.subscriber_first_name)}"
        f"****MI*{_clean(inquiry.member_id)}",
    ]
    if inquiry.subscriber_date_of_birth:
        body.append(f"DMG*D8*{inquiry.subscriber_date_of_birth:%Y%m%d}")
    if dependent:
        body += [
            "HL*4*3*23*0",
            f"NM1*03*1*{_clean(inquiry.dependent_last_name)}"
            f"*{_clean(inquiry.dependent_first_name)}",
        ]
        if inquiry.dependent_date_of_birth:
            body.append(f"DMG*D8*{inquiry.dependent_date_of_birth:%Y%m%d}")
    body += [f"DTP*291*D8*{inquiry.service_date:%Y%m%d}", f"EQ*{SERVICE_TYPE_PLAN_COVERAGE}"]
    body.append(f"SE*{len(body) + 1}*0001")
    sender, receiver = _clean(inquiry.sender_id)[:15], _clean(inquiry.receiver_id)[:15]
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:15}*ZZ*{receiver:15}*{now:%y%m%d}*{hm}*^*00501*"
        f"{number}*0*P*:"
    )
    gs = f"GS*HS*{sender}*{receiver}*{ymd}*{hm}*{control}*X*005010X279A1"
    tail = [f"GE*1*{control}", f"IEA*1*{number}"]
    return "~".join([isa, gs, *body, *tail]) + "~"


def segments(text: str) -> list[list[str]]:
    """Split a transaction into segments of elements, with the separators its ISA names
    (element separator at position 3, segment terminator right after the 106-character ISA)."""
    text = text.strip()
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("Not an X12 interchange (no ISA header).")
    element, terminator = text[3], text[105]
    parts = [part.strip() for part in text.split(terminator)]
    return [part.split(element) for part in parts if part]


def _at(elements: list[str], index: int) -> str:
    return elements[index] if len(elements) > index else ""


def read_271(text: str) -> Answer:
    """The answer in a 271: EB01 1 active / 6 inactive / I non-covered, EB11 Y authorization
    required, EB12 N out of network, EB01 B a copay in EB07, AAA a rejection (reason in
    AAA03), TRN*2 the payer's trace."""
    answer = Answer()
    for elements in segments(text):
        name = elements[0]
        if name == "AAA" and _at(elements, 1) == "N":
            answer.rejections.append(_at(elements, 3) or "unknown reason")
        elif name == "TRN" and _at(elements, 1) == "2" and not answer.trace:
            answer.trace = _at(elements, 2)
        elif name == "EB":
            _read_benefit(answer, elements)
    return answer


def _read_benefit(answer: Answer, elements: list[str]) -> None:
    code = _at(elements, 1)
    if code == "1":
        answer.active = True
    elif code in ("6", "I"):
        answer.inactive = True
    elif code == "B" and answer.copay_usd is None and _at(elements, 7):
        try:
            answer.copay_usd = Decimal(_at(elements, 7)).quantize(Decimal("0.01"))
        except InvalidOperation:
            pass
    if _at(elements, 11) == "Y":
        answer.authorization_required = True
    if _at(elements, 12) == "N":
        answer.out_of_network = True
