"""The API's pagination: limit/offset, with a ceiling on `limit` so no request can ask for a whole table at once."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = 500
