"""Appointment, escort and welcome reminders by email and SMS, through an outbox.

outbox    rows written in the booking transaction (scheduling.notify calls it)
dispatch  the periodic sweep: claim due rows, hand them to the worker after commit
sending   what a send task does with one row: the rules at send time, then the provider
rendering templates, local times, the signed confirmation link
services  the writes people make: confirming, retrying, STOP replies
selectors the delivery dashboard, the follow-up list, a patient's messages
"""
