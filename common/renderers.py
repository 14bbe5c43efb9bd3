"""The API's JSON renderer, in a module of its own: DRF's views read the renderers from the settings
when they are first imported, and common.api imports them."""

import orjson
from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, byte for byte, written by orjson: DRF's json.dumps took 0.9 ms of a page of 50
    households, orjson 0.03 ms (msgspec 0.05, ujson 0.25; BENCHMARKS.md). What orjson does not
    write as DRF does is handed to DRF's own encoder (dates and times, decimals, lazy texts, …), and
    U+2028 and U+2029 are escaped as DRF escapes them. An indented answer (`; indent=4`) stays DRF's."""

    _default = JSONEncoder().default
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) or not (
                api_settings.UNICODE_JSON and api_settings.COMPACT_JSON and api_settings.STRICT_JSON):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=self._default, option=self._options)
        except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits): DRF's answer
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in text or b"\xe2\x80\xa9" in text:
            text = text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return text
