"""Request parsers for the API (kept apart from clinic.api: DRF imports its parser classes
while ``rest_framework.views`` is still loading)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with a body nested too deep for Python's json module (``[[[[...``)
    answered as a parse error (400) like any other malformed JSON, not a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
