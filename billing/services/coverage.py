"""Writes about who pays. The front desk (and clinic admins) record coverages, the choice to
pay themselves and benefits checks; each is a new row, nothing is changed in place."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import DESK
from patients.models import Patient
from patients.selectors import patients_for

from ..eligibility.backends import EligibilityError, get_eligibility_backend
from ..eligibility.x12 import Inquiry, build_270, read_271
from ..models import (
    BenefitsCheck,
    CheckMethod,
    CheckResult,
    Coverage,
    Funding,
    PaymentChoice,
    Rank,
    Relationship,
    SiteBilling,
)

KEEPERS = DESK  # who keeps coverage and money records: the front desk and clinic admins
COVERAGE_FIELDS = (
    "rank", "payer_name", "payer_id", "plan_name", "member_id", "group_number",
    "subscriber_name", "subscriber_date_of_birth", "relationship", "effective_from",
    "effective_to",
)  # fmt: skip


def _patient_of_user(by: User, patient: Patient) -> Patient:
    """The patient, locked (serialises coverage writes for one patient), if ``by`` may see
    them; a refusal otherwise."""
    if not patients_for(by).filter(pk=patient.pk).exists():
        raise ValidationError({"patient": "This patient is not one of your sites'."})
    return Patient.objects.select_for_update().get(pk=patient.pk)


def _rank_taken(patient: Patient, rank: str, but: Coverage | None = None) -> None:
    others = Coverage.objects.current().filter(patient=patient, rank=rank)
    if but is not None:
        others = others.exclude(pk=but.pk)
    if others.exists():
        raise ValidationError(
            {"rank": f"The patient already has a {rank} coverage; change or end that one."}
        )
    if (
        rank == Rank.SECONDARY
        and not Coverage.objects.current()
        .filter(patient=patient, rank=Rank.PRIMARY)
        .exclude(pk=getattr(but, "pk", None))
        .exists()
    ):
        raise ValidationError({"rank": "Record the primary coverage before a secondary one."})


def _fields(patient: Patient, fields: dict) -> dict:
    unknown = set(fields) - set(COVERAGE_FIELDS)
    if unknown:
        raise TypeError(f"Not coverage fields: {sorted(unknown)}")
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if fields.get("relationship", Relationship.SELF) == Relationship.SELF:
        fields["subscriber_name"] = fields.get("subscriber_name") or patient.legal_name
        fields["subscriber_date_of_birth"] = (
            fields.get("subscriber_date_of_birth") or patient.date_of_birth
        )
    return fields


def _save(coverage: Coverage) -> Coverage:
    coverage.full_clean()
    coverage.save()
    return coverage


@transaction.atomic
def coverage_add(*, patient: Patient, by: User, **fields) -> Coverage:
    """A new insurance coverage for the patient: one current primary, one current secondary
    (which needs a primary)."""
    require_role(by, *KEEPERS, doing="record insurance coverage")
    patient = _patient_of_user(by, patient)
    fields = _fields(patient, fields)
    _rank_taken(patient, fields.get("rank", Rank.PRIMARY))
    return _save(Coverage(patient=patient, recorded_by=by, **fields))


def _locked_current(coverage: Coverage, by: User) -> Coverage:
    _patient_of_user(by, coverage.patient)
    coverage = Coverage.objects.select_related("patient").get(pk=coverage.pk)
    if Coverage.objects.filter(supersedes=coverage).exists():
        raise ConflictError({"coverage": "This coverage was changed meanwhile; open it again."})
    if coverage.ended:
        raise ConflictError({"coverage": "This coverage has ended."})
    return coverage


@transaction.atomic
def coverage_change(*, coverage: Coverage, by: User, reason: str, **fields) -> Coverage:
    """A new version of the coverage with the changed fields and the reason; the old
    version stays, superseded."""
    require_role(by, *KEEPERS, doing="change insurance coverage")
    coverage = _locked_current(coverage, by)
    if not reason.strip():
        raise ValidationError({"change_reason": "Say why the coverage changes."})
    kept = {name: getattr(coverage, name) for name in COVERAGE_FIELDS}
    changed = _fields(coverage.patient, {**kept, **fields})
    if changed == kept:
        raise ValidationError({"__all__": "Nothing was changed."})
    if changed["rank"] != coverage.rank:
        _rank_taken(coverage.patient, changed["rank"], but=coverage)
    return _save(Coverage(
        patient=coverage.patient, recorded_by=by, supersedes=coverage,
        change_reason=reason.strip(), **changed,
    ))  # fmt: skip


@transaction.atomic
def coverage_end(*, coverage: Coverage, by: User, reason: str, ended_on: datetime.date) -> Coverage:
    """The coverage stops on ``ended_on``: a last version, marked ended."""
    require_role(by, *KEEPERS, doing="end insurance coverage")
    coverage = _locked_current(coverage, by)
    if not reason.strip():
        raise ValidationError({"change_reason": "Say why the coverage ends."})
    if ended_on < coverage.effective_from:
        raise ValidationError({"effective_to": "The coverage ends before it starts."})
    kept = {name: getattr(coverage, name) for name in COVERAGE_FIELDS}
    return _save(Coverage(
        patient=coverage.patient, recorded_by=by, supersedes=coverage, ended=True,
        change_reason=reason.strip(), **{**kept, "effective_to": ended_on},
    ))  # fmt: skip


@transaction.atomic
def payment_choice_record(
    *, patient: Patient, funding: str, by: User, reason: str = ""
) -> PaymentChoice:
    """The patient chooses to pay themselves, or to use their insurance."""
    require_role(by, *KEEPERS, doing="record who pays")
    patient = _patient_of_user(by, patient)
    if (
        funding == Funding.INSURANCE
        and not Coverage.objects.current().filter(patient=patient).exists()
    ):
        raise ValidationError({"funding": "Record the insurance coverage first."})
    choice = PaymentChoice(patient=patient, funding=funding, reason=reason.strip(), recorded_by=by)
    choice.full_clean()
    choice.save()
    return choice


def _checkable(coverage: Coverage, by: User) -> Coverage:
    coverage = _locked_current(coverage, by)
    today = timezone.localdate()
    if coverage.effective_to and coverage.effective_to < today:
        raise ValidationError({"coverage": "This coverage has expired; record the new one."})
    return coverage


@transaction.atomic
def benefits_check_record(
    *,
    coverage: Coverage,
    by: User,
    method: str,
    result: str,
    reference_number: str = "",
    patient_responsibility_usd: Decimal | None = None,
    checked_at: datetime.datetime | None = None,
    note: str = "",
) -> BenefitsCheck:
    """A check made by phone or on the payer's portal, as the desk heard it."""
    require_role(by, *KEEPERS, doing="record benefits checks")
    if method == CheckMethod.ELECTRONIC:
        raise ValidationError({"method": "An electronic check is sent, not typed in."})
    coverage = _checkable(coverage, by)
    checked_at = checked_at or timezone.now()
    errors = {}
    if checked_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["checked_at"] = "A check cannot be in the future."
    if not reference_number.strip():
        errors["reference_number"] = "Enter the call reference or portal confirmation number."
    if patient_responsibility_usd is not None and patient_responsibility_usd < 0:
        errors["patient_responsibility_usd"] = "The patient's share cannot be negative."
    if errors:
        raise ValidationError(errors)
    check = BenefitsCheck(
        patient=coverage.patient, coverage=coverage, checked_at=checked_at, checked_by=by,
        method=method, result=result, reference_number=reference_number.strip(),
        patient_responsibility_usd=patient_responsibility_usd, note=note.strip(),
    )  # fmt: skip
    check.full_clean()
    check.save()
    return check


def _inquiry(coverage: Coverage, trace: str) -> Inquiry:
    patient = coverage.patient
    site = SiteBilling.objects.filter(location=patient.home_location).first()
    if site is None:
        raise ValidationError(
            {"coverage": "The site's NPI is not set up (admin: site billing details)."}
        )
    if not coverage.payer_id:
        raise ValidationError({"payer_id": "Enter the clearinghouse payer id first."})
    first, _, last = coverage.subscriber_name.rpartition(" ")
    dependent = coverage.relationship != Relationship.SELF
    return Inquiry(
        trace=trace, payer_name=coverage.payer_name, payer_id=coverage.payer_id,
        provider_name=site.practice_name, provider_npi=site.npi, member_id=coverage.member_id,
        subscriber_first_name=first or last, subscriber_last_name=last,
        subscriber_date_of_birth=coverage.subscriber_date_of_birth,
        service_date=timezone.localdate(), sender_id=settings.ELIGIBILITY_SENDER_ID,
        receiver_id=settings.ELIGIBILITY_RECEIVER_ID,
        dependent_first_name=patient.legal_first_name if dependent else "",
        dependent_last_name=patient.legal_last_name if dependent else "",
        dependent_date_of_birth=patient.date_of_birth if dependent else None,
    )  # fmt: skip


def _result(answer) -> str:
    if answer.inactive or not answer.active:
        return CheckResult.NOT_COVERED
    if answer.out_of_network:
        return CheckResult.OUT_OF_NETWORK
    if answer.authorization_required:
        return CheckResult.PRIOR_AUTH
    return CheckResult.COVERED


def benefits_check_electronic(*, coverage: Coverage, by: User) -> BenefitsCheck:
    """Send a 270 through the clearinghouse and record its 271 as a check. The exchange
    happens outside any transaction (no row lock held over the network); a failed or
    rejected exchange records nothing and says why on ``coverage``."""
    require_role(by, *KEEPERS, doing="record benefits checks")
    with transaction.atomic():
        coverage = _checkable(coverage, by)
        trace = f"C{coverage.pk}-{uuid.uuid4().hex[:10].upper()}"
        inquiry = build_270(_inquiry(coverage, trace), now=timezone.now(), control=coverage.pk)
    try:
        text = get_eligibility_backend().exchange(inquiry_270=inquiry, trace=trace)
        answer = read_271(text)
    except (EligibilityError, ValueError) as error:
        raise ValidationError({"coverage": f"No answer from the clearinghouse: {error}"}) from error
    if answer.rejections:
        reasons = ", ".join(answer.rejections)
        raise ValidationError(
            {"coverage": f"The payer rejected the inquiry (AAA reason {reasons})."}
        )
    with transaction.atomic():
        coverage = _checkable(coverage, by)
        check = BenefitsCheck(
            patient=coverage.patient, coverage=coverage, checked_at=timezone.now(),
            checked_by=by, method=CheckMethod.ELECTRONIC, result=_result(answer),
            reference_number=(answer.trace or trace)[:60],
            patient_responsibility_usd=answer.copay_usd, response_text=text,
        )  # fmt: skip
        check.full_clean()
        check.save()
    return check
