"""The patient's language for what we send them, read from the free-text preferred language
on their record ("Spanish", "Español", "es", ...): Spanish or English."""


def prefers_spanish(preferred_language: str) -> bool:
    words = (preferred_language or "").strip().lower()
    return words.startswith(("span", "espa")) or words in {"es", "castellano"}
